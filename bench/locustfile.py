"""Mixed reading traffic for locust (scripts/essai_production.sh, bench/charge.py):
search, fiche, beds board, FHIR page. Each user reads as the logged-in consultant
(one session cookie, ROR_SESSION) and the FHIR API with a token (ROR_JETON).

Rate: ROR_DEBIT_PAR_UTILISATEUR requests per second and per user (constant throughput)."""

import os
import random
from urllib.parse import urlencode

from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

FICHES = [f for f in os.environ.get("ROR_FICHES", "").split(",") if f]
QUOI = ["EHPAD", "SSIAD", "réanimation", "maison de santé", "IME", "hébergement permanent", "psychiatrie",
        "accueil de jour", "centre hospitalier", "soins de suite", "ESAT", "HAD"]
OU = ["", "Angers", "Nantes", "Le Mans", "Laval", "La Roche-sur-Yon", "Cholet", "Saint-Nazaire"]


class Lecteur(FastHttpUser):
    """FastHttpUser (geventhttpclient), not HttpUser (requests): the load tool runs on the same
    2 cores as the portal, and requests' own CPU per request would be taken from the portal's."""

    wait_time = constant_throughput(float(os.environ.get("ROR_DEBIT_PAR_UTILISATEUR", "1")))
    insecure = True  # the self-signed certificate of the check
    default_headers = {"Cookie": f"sessionid={os.environ.get('ROR_SESSION', '')}"}

    def lire(self, url: str, name: str, headers: dict | None = None):
        """A page that answers anything but 200 (a redirect to the login page: the session is not
        read) is an error, not a success."""
        with self.client.get(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as reponse:
            if reponse.status_code != 200:
                reponse.failure(f"HTTP {reponse.status_code}")

    @task(4)
    def recherche(self):
        self.lire("/recherche/?" + urlencode({"quoi": random.choice(QUOI), "ou": random.choice(OU)}),
                  "/recherche/?quoi=…")

    @task(4)
    def fiche(self):
        self.lire(f"/repertoire/{random.choice(FICHES)}/", "/repertoire/<id>/")

    @task(2)
    def tableau_des_lits(self):
        self.lire("/disponibilites/tableau/contenu/", "/disponibilites/tableau/contenu/")

    @task(1)
    def page_tableau(self):
        self.lire("/disponibilites/", "/disponibilites/")

    @task(2)
    def fhir(self):
        self.lire("/fhir/HealthcareService?_count=20", "/fhir/HealthcareService?_count=20",
                  {"Authorization": f"Bearer {os.environ['ROR_JETON']}", "Accept": "application/fhir+json"})
