"""Benchmark of the search (issue #4): 20 representative queries run as the page does
them (Django test client, whole view with template) and as the bare SQL they issue;
autocomplete; map data for a département.

    DATABASE_URL=postgresql://postgres@/bench_recherche?host=/work/national/pgdata \\
        .venv/bin/python bench/search.py [--repetitions 7]

Goals: page p95 ≤ 150 ms and ≤ 2× raw SQL, autocomplete p95 ≤ 30 ms, map data for a
département ≤ 100 ms. Builds the search index first if it is empty.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
os.environ.setdefault("ROR_CACHE", "aucun")  # each page computed, as a new query is

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from recherche.indexation import reindexer_tout  # noqa: E402
from recherche.models import UniteIndexee  # noqa: E402

REQUETES = [
    {"quoi": "EHPAD accueil de jour", "ou": "Angers"},
    {"quoi": "SSIAD", "ou": "Cholet", "intervient": "on"},
    {"quoi": "réanimation pédiatrique"},
    {"quoi": "IME autisme", "ou": "Loire-Atlantique", "age": "8"},
    {"quoi": "hébergement temporaire personnes âgées", "ou": "Laval"},
    {"quoi": "alzeimer", "ou": "Nantes"},
    {"quoi": "Réanimations", "ou": "Lyon", "rayon": "50"},
    {"quoi": "urgences", "ou": "Paris", "rayon": "10"},
    {"quoi": "maternité", "ou": "Marseille", "rayon": "30", "age": "30"},
    {"quoi": "hémodialyse", "ou": "Toulouse", "rayon": "50"},
    {"quoi": "CMP enfants", "ou": "Lille"},
    {"quoi": "aide à domicile personnes handicapées", "ou": "Bordeaux", "intervient": "on"},
    {"quoi": "soins palliatifs", "ou": "Gironde"},
    {"quoi": "EHPAD", "ou": "Paris", "rayon": "20", "aide_sociale": "on"},
    {"quoi": "EHPAD"},
    {"ou": "Nantes", "rayon": "20"},
    {"quoi": "consultation mémoire", "ou": "Rennes", "rayon": "50", "age": "80"},
    {"quoi": "psychiatrie", "discipline": "PSY", "ou": "Nord"},
    {"quoi": "foyer de vie", "ou": "Strasbourg", "rayon": "30", "public": "02"},
    {"quoi": "SMR gériatrique", "ou": "Le Mans", "rayon": "50", "page": "2"},
]
AUTOCOMPLETION_LIEUX = ["ang", "nantes", "49300", "44", "saint her", "loire atl", "chu ", "ehpad les", "la roche",
                        "paris", "lyon", "mars", "st nazaire", "clinique", "75015", "gironde", "bord", "le mans",
                        "ch chol", "toul"]
AUTOCOMPLETION_LIBELLES = ["rea", "reanimation", "accueil de j", "alzh", "hemod", "pediat", "soins pal", "autis",
                           "urgen", "hebergement temp", "ssiad", "equipe mob", "chirurgie", "psychi", "materni",
                           "addict", "dialyse", "soins intensifs", "cardio", "geriat"]
DEPARTEMENTS = ["44", "49", "53", "72", "85", "75", "13", "69", "59", "33"]


def centile(valeurs, p):
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(round(p / 100 * (len(valeurs) - 1))))]


def mesurer(client, url, params):
    """Server time of the page (ms) and the SQL it issued."""
    with CaptureQueriesContext(connection) as requetes:
        debut = time.perf_counter()
        reponse = client.get(url, params)
        duree = (time.perf_counter() - debut) * 1000
    assert reponse.status_code == 200, (url, params, reponse.status_code)
    return duree, [q["sql"] for q in requetes.captured_queries]


def sql_brut(requetes):
    """The same statements, bare, on a cursor (ms)."""
    debut = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in requetes:
            if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                continue
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
    return (time.perf_counter() - debut) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.ROR_CGU_VERSION = ""  # the bench account is not asked to accept the CGU

    if not UniteIndexee.objects.exists():
        debut = time.monotonic()
        n = reindexer_tout()
        print(f"Index construit : {n} UO en {time.monotonic() - debut:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT eg_id) FROM recherche_uniteindexee")
        nb_uo, nb_eg = cursor.fetchone()
    print(f"Base : {nb_eg} EG, {nb_uo} UO indexées ; région du portail : {settings.ROR_REGION_CODE}")

    user, _ = get_user_model().objects.get_or_create(username="bench_recherche")
    client = Client()
    client.force_login(user)
    url = reverse("recherche:recherche")

    print(f"\nPage de résultats ({args.repetitions} passages, le premier écarté) :")
    print(f"{'requête':58} {'total':>7} {'p50':>7} {'p95':>7} {'SQL p50':>8} {'ratio':>6}")
    toutes_pages, tous_sql = [], []
    for params in REQUETES:
        pages, bruts, total = [], [], None
        for i in range(args.repetitions + 1):
            duree, requetes = mesurer(client, url, params)
            brut = sql_brut(requetes)
            if i == 0:
                html = client.get(url, params).content.decode()
                trouve = re.search(r'id="nombre-resultats"[^>]*>\s*<strong>((?:plus de )?[\d\s\u202f\xa0]+)</strong>',
                                   html)
                # "plus de 300": the page read its ceiling of units (recherche.moteur.PLAFOND_LIGNES)
                total = ("> " if trouve and "plus" in trouve.group(1) else "") + re.sub(
                    r"\D", "", trouve.group(1)) if trouve else "?"
                continue
            pages.append(duree)
            bruts.append(brut)
        toutes_pages += pages
        tous_sql += bruts
        libelle = " ".join(f"{k}={v}" for k, v in params.items())[:58]
        print(f"{libelle:58} {total!s:>7} {statistics.median(pages):7.1f} {centile(pages, 95):7.1f} "
              f"{statistics.median(bruts):8.1f} {statistics.median(pages) / statistics.median(bruts):6.2f}")
    print(f"\nPAGE : p50 {statistics.median(toutes_pages):.1f} ms, p95 {centile(toutes_pages, 95):.1f} ms "
          f"(objectif ≤ 150) ; SQL brut p50 {statistics.median(tous_sql):.1f} ms, p95 {centile(tous_sql, 95):.1f} ms ; "
          f"ratio p50 {statistics.median(toutes_pages) / statistics.median(tous_sql):.2f}, "
          f"p95 {centile(toutes_pages, 95) / centile(tous_sql, 95):.2f} (objectif ≤ 2)")

    for nom, termes in (("lieux", AUTOCOMPLETION_LIEUX), ("libelles", AUTOCOMPLETION_LIBELLES)):
        url_ac = reverse(f"recherche:autocompletion_{nom}")
        durees = []
        for i in range(args.repetitions + 1):
            for terme in termes:
                duree, _ = mesurer(client, url_ac, {"q": terme})
                if i:
                    durees.append(duree)
        print(f"AUTOCOMPLÉTION {nom} : p50 {statistics.median(durees):.1f} ms, p95 {centile(durees, 95):.1f} ms "
              f"(objectif ≤ 30)")

    url_carte = reverse("recherche:carte_donnees")
    durees, tailles = [], []
    for i in range(args.repetitions + 1):
        for dep in DEPARTEMENTS:
            params = {"ou": dep, "lieu": f"departement:{dep}"}
            duree, _ = mesurer(client, url_carte, params)
            if i:
                durees.append(duree)
            else:
                tailles.append(len(client.get(url_carte, params).json()["points"]))
    print(f"CARTE d'un département ({min(tailles)}–{max(tailles)} EG) : p50 {statistics.median(durees):.1f} ms, "
          f"p95 {centile(durees, 95):.1f} ms (objectif ≤ 100)")
    durees = []
    for i in range(args.repetitions + 1):
        duree, _ = mesurer(client, url_carte, {"quoi": "EHPAD", "ou": "", "lieu": "region"})
        if i:
            durees.append(duree)
    print(f"CARTE « EHPAD » toute la région : p50 {statistics.median(durees):.1f} ms, p95 {centile(durees, 95):.1f} ms")


if __name__ == "__main__":
    main()
