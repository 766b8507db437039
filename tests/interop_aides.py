"""Helpers of the interop tests: an API token, FHIR validation with fhir.resources (R4B:
fhir.resources 8.x ships R5 as default and R4B, no plain R4; R4B has the same
Organization, HealthcareService, Location, Bundle and OperationOutcome as R4), a richer
generated region, and a real HTTP server on 127.0.0.1 standing in for ViaTrajectoire."""

import json
import random
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fhir.resources.R4B import get_fhir_model_class

from nomenclatures.models import Commune, Concept
from repertoire.models import Niveau, PorteeJeton
from repertoire.services import jetons_api, offre


def valider(ressource: dict):
    """Validate one resource (a Bundle with its entries) against the FHIR R4B model; raises if invalid."""
    return get_fhir_model_class(ressource["resourceType"]).model_validate(ressource)


def client_api(client, region):
    _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {clair}"
    return client


def _au_hasard(rng, jeu, n):
    ids = list(Concept.objects.filter(nomenclature__cle=jeu, actif=True).values_list("pk", flat=True))
    return rng.sample(ids, min(n, len(ids)))


def construire_region_generee(nb_eg: int = 12, graine: int = 52) -> list:
    """EJ → EG → UO with every kind of offer field filled at random (through the services)."""
    rng = random.Random(graine)
    communes = list(Commune.objects.filter(departement_id="49", latitude__isnull=False).order_by("pk")[:40])
    categories = list(Concept.objects.filter(nomenclature__cle="J55", systeme="1.2.250.1.213.1.6.1.8")
                      .values_list("pk", flat=True))
    c = lambda jeu, code: Concept.objects.get(nomenclature__cle=jeu, code=code)  # noqa: E731
    creees = []
    for i in range(nb_eg):
        commune = rng.choice(communes)
        ej = offre.creer_structure(None, Niveau.EJ, None, nom=f"ASSOCIATION GENEREE {i}",
                                   finess=f"49{i:07d}"[:9], siren=f"{800000000 + i}", commune=commune,
                                   statut_juridique_id=_au_hasard(rng, "J173", 1)[0])
        eg = offre.creer_structure(
            None, Niveau.EG, ej, nom=f"EHPAD GENERE {i}", nom_officiel=f"ETABLISSEMENT GENERE {i}",
            finess=f"49{i + 500:07d}"[:9], siret=f"{80000000000000 + i}", categorie_id=rng.choice(categories),
            numero_voie=str(i + 1), type_voie=c("J219", "RUE"), voie="des Essais", code_postal=commune.codes_postaux[0],
            commune=commune, latitude=commune.latitude, longitude=commune.longitude, telephone="02 41 00 00 00",
            fax="02 41 00 00 01", email="accueil@exemple.fr", site_web="https://exemple.fr",
            m2m={"aides_financieres": _au_hasard(rng, "J31", 1)})
        creees += [ej, eg]
        for j in range(rng.randint(1, 4)):
            age_min = rng.choice([0, 18, 60])
            uo = offre.creer_structure(
                None, Niveau.UO, eg, nom=f"Unité {i}-{j}", type_uo_id=_au_hasard(rng, "J34", 1)[0],
                champ_id=_au_hasard(rng, "J20", 1)[0], discipline=rng.choice(["MCO", "PSY", "SMR", "MSS"]),
                age_min=age_min, age_max=rng.choice([age_min + 20, 120]), lits_installes=rng.choice([None, 10, 30]),
                places_installees=rng.choice([None, 5]), unite_sensible=rng.random() < 0.1,
                ouverture_annuelle_id=_au_hasard(rng, "J28", 1)[0], telephone="02 41 00 00 02",
                conditions_admission="Sur dossier.",
                m2m={"activites": _au_hasard(rng, "J17", 2), "actes": _au_hasard(rng, "J16", 2),
                     "equipements": _au_hasard(rng, "J18", 1), "specialisations": _au_hasard(rng, "J35", 1),
                     "competences": _au_hasard(rng, "J33", 1), "professions": _au_hasard(rng, "J186", 2),
                     "specialites_ordinales": _au_hasard(rng, "J210", 1),
                     "modes_prise_en_charge": _au_hasard(rng, "R213", 1),
                     "temporalites_accueil": _au_hasard(rng, "J30", 1),
                     "modalites_accueil": _au_hasard(rng, "J226", 2), "publics": _au_hasard(rng, "J29", 1),
                     "territoire": [x.pk for x in rng.sample(communes, 3)]})
            creees.append(uo)
    return creees


# -- a stand-in for ViaTrajectoire ------------------------------------------------------------

class FauxViaTrajectoire:
    """A real HTTP server on 127.0.0.1 recording the change ids it receives.

    `scenario` is a list consumed one item per request, then `defaut`: "ok", "503",
    "400", "reset" (connection reset before any answer). `applique` holds each change id
    once (an idempotent receiver), `recus` every delivery in order, repeats included.
    """

    def __init__(self, scenario=None, defaut="ok", delai=0.0):
        self.scenario = list(scenario or [])
        self.defaut = defaut
        self.delai = delai
        self.recus: list[str] = []
        self.applique: dict[str, dict] = {}
        self.statuts: list[str] = []
        self.verrou = threading.Lock()
        serveur = self

        class Gestionnaire(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                corps = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with serveur.verrou:
                    issue = serveur.scenario.pop(0) if serveur.scenario else serveur.defaut
                    serveur.statuts.append(issue)
                if issue == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                if issue != "ok":
                    self.send_response(int(issue))
                    self.end_headers()
                    self.wfile.write(b'{"resourceType":"OperationOutcome"}')
                    return
                if serveur.delai:
                    import time

                    time.sleep(serveur.delai)
                bundle = json.loads(corps)
                id_changement = bundle["identifier"]["value"].removeprefix("urn:uuid:")
                with serveur.verrou:
                    serveur.recus.append(id_changement)
                    serveur.applique.setdefault(id_changement, bundle)
                self.send_response(200)
                self.send_header("Content-Type", "application/fhir+json")
                self.end_headers()
                self.wfile.write(b'{"resourceType":"Bundle","type":"transaction-response"}')

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Gestionnaire)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/ror/changements"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
