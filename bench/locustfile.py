"""Mixed reading traffic for locust (scripts/essai_production.sh, bench/charge.py):
search, fiche, beds board, FHIR page. Each user reads as the logged-in consultant
(one session cookie, ROR_SESSION) and the FHIR API with a token (ROR_JETON).

Rate: ROR_DEBIT_PAR_UTILISATEUR requests per second and per user (constant throughput)."""

import os
import random

import urllib3
from locust import HttpUser, constant_throughput, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # self-signed certificate of the check

FICHES = [f for f in os.environ.get("ROR_FICHES", "").split(",") if f]
QUOI = ["EHPAD", "SSIAD", "réanimation", "maison de santé", "IME", "hébergement permanent", "psychiatrie",
        "accueil de jour", "centre hospitalier", "soins de suite", "ESAT", "HAD"]
OU = ["", "Angers", "Nantes", "Le Mans", "Laval", "La Roche-sur-Yon", "Cholet", "Saint-Nazaire"]


class Lecteur(HttpUser):
    wait_time = constant_throughput(float(os.environ.get("ROR_DEBIT_PAR_UTILISATEUR", "1")))

    def on_start(self):
        self.client.verify = False
        self.client.trust_env = False  # no CA bundle or proxy from the environment: straight to the portal
        self.client.cookies.set("sessionid", os.environ["ROR_SESSION"])

    @task(4)
    def recherche(self):
        self.client.get("/recherche/", params={"quoi": random.choice(QUOI), "ou": random.choice(OU)},
                        name="/recherche/?quoi=…")

    @task(4)
    def fiche(self):
        self.client.get(f"/repertoire/{random.choice(FICHES)}/", name="/repertoire/<id>/")

    @task(2)
    def tableau_des_lits(self):
        self.client.get("/disponibilites/tableau/contenu/", name="/disponibilites/tableau/contenu/")

    @task(1)
    def page_tableau(self):
        self.client.get("/disponibilites/", name="/disponibilites/")

    @task(2)
    def fhir(self):
        self.client.get("/fhir/HealthcareService", params={"_count": "20"},
                        headers={"Authorization": f"Bearer {os.environ['ROR_JETON']}", "Accept": "application/fhir+json"},
                        name="/fhir/HealthcareService?_count=20")
