"""Benchmark: import the synthetic national FINESS file (≈103,000 EG) into a fresh database,
then import it again unchanged; print durations and peak memory of each import, and when
each of its steps began (reading, comparison, writing, index rebuild, register, report).

    .venv/bin/python bench/finess.py [--format json|csv] [--nombre 103000] [--garder]

--format json (default): the daily JSON flux, structures + activités (imports.generateur.
generer_json), streamed; --format csv: the etalab extract.

Uses the embedded PostgreSQL (or the server of DATABASE_URL): it creates a database
`bench_finess`, migrates it, loads the reference data, writes the synthetic file with
`generate_finess_extract --scale national`, runs `import_finess` twice in child processes
(national perimeter) and drops the database (unless --garder).
Goals: first import ≤ 60 s, unchanged re-import ≤ 15 s (JSON; 30 s CSV), peak memory ≤ 1 GiB.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

# Run in the child: one import, then its own peak memory.
ENFANT = """
import os, resource, sys, time
import django
django.setup()
from imports.importer import importer_fichier
debut = time.monotonic()
etapes = {}  # step → seconds from the start when it began: where the time goes
def progres(fraction, etape):
    etapes.setdefault(etape.split(" :")[0], time.monotonic() - debut)
imp = importer_fichier(sys.argv[1], activites=sys.argv[2] if len(sys.argv) > 2 else None, progres=progres)
duree = time.monotonic() - debut
print(" ; ".join(f"{e} à {t:.1f} s" for e, t in etapes.items()))
u = resource.getrusage(resource.RUSAGE_SELF)
print(f"{imp.statut};{duree:.2f};{u.ru_maxrss};{u.ru_utime + u.ru_stime:.1f};{imp.nb_nouveaux};"
      f"{imp.nb_modifies};{imp.nb_fermes};{imp.nb_rouverts};{imp.nb_uo_proposees};{imp.nb_etablissements};"
      f"{imp.erreur}")
"""


def base_vierge(nom: str) -> str:
    """(Re)create database `nom` on the project's PostgreSQL server, migrated with the reference
    data loaded; return its URL."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(f"DROP DATABASE IF EXISTS {nom}")
        c.execute(f"CREATE DATABASE {nom}")
    reglages = connection.settings_dict
    hote = reglages["HOST"]
    url = (f"postgresql://{reglages['USER']}@/{nom}?host={hote}" if hote.startswith("/") else
           f"postgresql://{reglages['USER']}:{reglages['PASSWORD']}@{hote}:{reglages['PORT'] or 5432}/{nom}")
    for commande in (["migrate", "-v0"], ["load_nomenclatures"], ["load_communes"]):
        subprocess.run([sys.executable, str(BASE / "manage.py"), *commande], env={**os.environ, "DATABASE_URL": url},
                       check=True, stdout=subprocess.DEVNULL)
    return url


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--nombre", type=int, default=103_000)
    arguments.add_argument("--format", choices=["json", "csv"], default="json")
    arguments.add_argument("--garder", action="store_true", help="ne pas supprimer la base après la mesure")
    args = arguments.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    import django

    django.setup()
    from django.db import connection

    nom = "bench_finess"
    env = {**os.environ, "DATABASE_URL": base_vierge(nom), "FINESS_PERIMETRE": "national"}
    manage = [sys.executable, str(BASE / "manage.py")]
    if args.format == "json":
        from imports.generateur import generer_json

        fichiers = [BASE / "var" / "finess" / f"finess-{sorte}-journalier-synthetique-{args.nombre}.json"
                    for sorte in ("structures", "activites")]
        if not all(f.exists() for f in fichiers):
            fichiers = list(generer_json(BASE / "var" / "finess", departements=None, nombre_eg=args.nombre))
    else:
        fichiers = [BASE / "var" / "finess" / f"etalab-cs1100507-stock-synthetique-{args.nombre}.csv"]
        if not fichiers[0].exists():
            fichiers[0].parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(manage + ["generate_finess_extract", "--scale", "national", "--nombre", str(args.nombre),
                                     "--sortie", str(fichiers[0])], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    for fichier in fichiers:
        print(f"fichier : {fichier.name} ({fichier.stat().st_size / 1e6:.0f} Mo, {args.nombre} établissements)")

    objectifs = {"premier import": 60, "réimport à l'identique": 15 if args.format == "json" else 30}
    for libelle, objectif in objectifs.items():
        debut = time.monotonic()
        lignes = subprocess.run([sys.executable, "-c", ENFANT, *map(str, fichiers)], env=env, cwd=BASE, check=True,
                                capture_output=True, text=True).stdout.strip().splitlines()
        sortie = lignes[-1]
        total = time.monotonic() - debut
        statut, duree, maxrss, cpu, nouveaux, modifies, fermes, rouverts, uos, lus, erreur = sortie.split(";", 10)
        memoire = int(maxrss) / 1024  # ru_maxrss is in KiB on Linux
        print(f"{libelle} : {float(duree):.1f} s (objectif ≤ {objectif} s ; processus {total:.1f} s ; "
              f"temps CPU du processus Python {float(cpu):.1f} s, hors PostgreSQL) ; "
              f"mémoire de pointe {memoire:.0f} Mo (objectif ≤ 1024 Mo) ; statut {statut} {erreur} ; "
              f"{lus} EG lus, {nouveaux} nouveaux (EJ+EG), {modifies} modifiés, {fermes} fermés, "
              f"{rouverts} rouverts, {uos} UO pré-peuplées ; charge de la machine à la fin (load average 1/5/15 min) "
              f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"  étapes : {lignes[-2]}")
        if statut != "termine":
            print(f"  import non appliqué (statut {statut}) : {erreur}")

    with connection.cursor() as c:
        c.execute("SELECT pg_size_pretty(pg_database_size(%s))", [nom])
        taille = c.fetchone()[0]
        if not args.garder:
            c.execute(f"DROP DATABASE {nom}")
    print(f"taille de la base après import : {taille}")


if __name__ == "__main__":
    main()
