"""Cost of the pages of the load test (bench/locustfile.py) as deployed: DEBUG off (cached
templates, no debug tooling), the whole Django stack through the test client, the consultant's
session. Per page: wall and CPU milliseconds (median), queries; --profil prints the top of a
cProfile of each page.

    DEBUG=1 .venv/bin/python manage.py preparer_demo      # once, the demo region
    .venv/bin/python bench/pages.py [--repetitions 30] [--profil 25]

With REDIS_URL the cache and sessions are on Redis, as in production.
"""

import argparse
import cProfile
import os
import pstats
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
os.environ["DEBUG"] = "0"  # as deployed: the cost measured is production's
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from repertoire.models import Structure  # noqa: E402
from repertoire.services import jetons_api  # noqa: E402
from repertoire.models import PorteeJeton  # noqa: E402

QUOI = ["EHPAD", "SSIAD", "réanimation", "maison de santé", "IME", "hébergement permanent", "psychiatrie",
        "accueil de jour", "centre hospitalier", "soins de suite", "ESAT", "HAD"]
OU = ["", "Angers", "Nantes", "Le Mans", "Laval", "La Roche-sur-Yon", "Cholet", "Saint-Nazaire"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repetitions", type=int, default=30)
    p.add_argument("--profil", type=int, default=0, help="lignes de cProfile par page (0 : aucune)")
    p.add_argument("--page", default="", help="seulement les pages dont le nom contient ce texte")
    args = p.parse_args()
    random.seed(1)
    consultant = get_user_model().objects.get(username="consultant")
    if consultant.cgu_version != settings.ROR_CGU_VERSION:  # the demo's accounts have not accepted them yet
        consultant.cgu_version = settings.ROR_CGU_VERSION
        consultant.save(update_fields=["cgu_version"])
    client = Client()
    client.force_login(consultant)
    gestionnaire = get_user_model().objects.get(username="gestionnaire")
    jeton = jetons_api.creer_jeton(gestionnaire, PorteeJeton.FHIR, "bench/pages.py")[1]
    fiches = list(Structure.objects.filter(niveau__in=["EG", "UO"]).order_by("?").values_list("pk", flat=True)[:500])
    pages = {
        "recherche": lambda: ("/recherche/", {"quoi": random.choice(QUOI), "ou": random.choice(OU)}, {}),
        "fiche": lambda: (f"/repertoire/{random.choice(fiches)}/", {}, {}),
        "tableau (contenu)": lambda: ("/disponibilites/tableau/contenu/", {}, {}),
        "tableau (page)": lambda: ("/disponibilites/", {}, {}),
        "fhir": lambda: ("/fhir/HealthcareService", {"_count": "20"},
                         {"HTTP_AUTHORIZATION": f"Bearer {jeton}", "HTTP_ACCEPT": "application/fhir+json"}),
    }
    print(f"{'page':<32} {'mur ms':>7} {'CPU ms':>7} {'requêtes SQL':>13}")
    for nom, requete in pages.items():
        if args.page not in nom:
            continue
        for _ in range(3):  # warm: templates compiled, connections open
            chemin, params, entetes = requete()
            reponse = client.get(chemin, params, secure=True, **entetes)
            assert reponse.status_code == 200, (chemin, reponse.status_code)
        requetes_tirees = [requete() for _ in range(args.repetitions)]
        profil = cProfile.Profile() if args.profil else None
        for passage in ("1er passage", "2e passage"):  # the second reads what the first put in the cache
            murs, cpus, nb_requetes = [], [], []
            for chemin, params, entetes in requetes_tirees:
                with CaptureQueriesContext(connection) as requetes:
                    debut, debut_cpu = time.perf_counter(), time.process_time()
                    if profil:
                        profil.enable()
                    reponse = client.get(chemin, params, secure=True, **entetes)
                    if profil:
                        profil.disable()
                    murs.append((time.perf_counter() - debut) * 1000)
                    cpus.append((time.process_time() - debut_cpu) * 1000)
                assert reponse.status_code == 200, (chemin, reponse.status_code)
                nb_requetes.append(len(requetes))
            print(f"{nom + ' ' + passage:<32} {statistics.median(murs):>7.1f} {statistics.median(cpus):>7.1f} "
                  f"{statistics.median(nb_requetes):>13.0f}", flush=True)
        if profil:
            pstats.Stats(profil).sort_stats("cumulative").print_stats(args.profil)
    return 0


if __name__ == "__main__":
    sys.exit(main())
