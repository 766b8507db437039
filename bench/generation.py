"""Benchmark: build the national demo (≈100,000 EG, ≈1,000,000 UO) in a fresh database and
print the time it takes and the database size.

    .venv/bin/python bench/generation.py [--garder]

Uses the embedded PostgreSQL (or the server of DATABASE_URL): it creates a database
`bench_generation`, migrates it, loads the reference data, runs
`demo_region --scale national`, prints the figures, then drops it (unless --garder).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--garder", action="store_true", help="ne pas supprimer la base après la mesure")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    import django

    django.setup()
    from django.db import connection

    nom = "bench_generation"
    with connection.cursor() as c:
        c.execute(f"DROP DATABASE IF EXISTS {nom}")
        c.execute(f"CREATE DATABASE {nom}")
    s = connection.settings_dict
    if s["HOST"].startswith("/"):
        url = f"postgresql://{s['USER']}@/{nom}?host={s['HOST']}"
    else:
        url = f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{nom}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(BASE / "manage.py")]
    for etape in (["migrate", "-v0"], ["load_nomenclatures"], ["load_communes"]):
        subprocess.run(manage + etape, env=env, check=True, stdout=subprocess.DEVNULL)
    debut = time.monotonic()
    sortie = subprocess.run(manage + ["demo_region", "--scale", "national"], env=env, check=True,
                            capture_output=True, text=True).stdout
    duree = time.monotonic() - debut
    # Planner statistics for the benches that copy this database (a template copy keeps them).
    subprocess.run(manage + ["shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    with connection.cursor() as c:
        c.execute("SELECT pg_size_pretty(pg_database_size(%s))", [nom])
        taille = c.fetchone()[0]
        if not args.garder:
            c.execute(f"DROP DATABASE {nom}")
    print(sortie.strip())
    print(f"génération nationale : {duree:.0f} s (objectif ≤ 900 s) ; taille de la base : {taille}")


if __name__ == "__main__":
    main()
