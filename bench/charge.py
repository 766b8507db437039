"""Load test of a running portal with locust (headless): mixed reading traffic
(bench/locustfile.py: search, fiche, beds board, FHIR page) at a target rate.

    python bench/charge.py --host https://127.0.0.1:8443 --debit 60 --duree 60 --min-debit 50

Needs ROR_SESSION (a consultant's session cookie), ROR_JETON (a FHIR token), ROR_FICHES
(ids of fiches, comma-separated): scripts/essai_production.sh sets them, starts the
production stack and calls this script (60 s in CI; ESSAI_CHARGE="--debit N --duree 300"
for the 5-minute version). Prints requests/s, p50, p95, errors per page and in total;
exits 1 on any error or when the rate reached is below --min-debit.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", required=True)
    p.add_argument("--debit", type=float, default=60, help="requêtes par seconde visées (total)")
    p.add_argument("--duree", type=int, default=60, help="secondes")
    p.add_argument("--utilisateurs", type=int, default=0, help="défaut : un utilisateur par 2 requêtes/s")
    p.add_argument("--min-debit", type=float, default=0, help="échec sous ce débit atteint")
    p.add_argument("--objectif", type=float, default=0, help="débit visé, signalé s'il n'est pas atteint")
    args = p.parse_args()
    utilisateurs = args.utilisateurs or max(1, round(args.debit / 2))
    with tempfile.TemporaryDirectory() as dossier:
        prefixe = Path(dossier) / "charge"
        env = {**os.environ, "ROR_DEBIT_PAR_UTILISATEUR": str(args.debit / utilisateurs)}
        commande = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", args.host,
                    "-u", str(utilisateurs), "-r", str(utilisateurs), "-t", f"{args.duree}s", "--csv", str(prefixe),
                    "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"]
        print(f"locust : {utilisateurs} utilisateurs, {args.debit:g} requêtes/s visées, {args.duree} s", flush=True)
        subprocess.run(commande, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f"{prefixe}_stats.csv", newline="") as f:
            lignes = list(csv.DictReader(f))
        echecs = Path(f"{prefixe}_failures.csv")
        echecs = list(csv.DictReader(echecs.open(newline=""))) if echecs.exists() else []
    total = next(ligne for ligne in lignes if ligne["Name"] == "Aggregated")
    print(f"{'page':<38} {'requêtes':>8} {'erreurs':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for ligne in lignes:
        print(f"{ligne['Name']:<38} {ligne['Request Count']:>8} {ligne['Failure Count']:>8} "
              f"{float(ligne['Requests/s']):>7.1f} {ligne['50%']:>7} {ligne['95%']:>7} {float(ligne['Max Response Time']):>7.0f}")
    debit, erreurs = float(total["Requests/s"]), int(total["Failure Count"])
    print(f"CHARGE : {debit:.1f} requêtes/s pendant {args.duree} s, p50 {total['50%']} ms, p95 {total['95%']} ms, "
          f"{erreurs} erreur(s) sur {total['Request Count']} requêtes", flush=True)
    if erreurs:
        for echec in echecs[:10]:
            print(f"  {echec.get('Occurrences')} × {echec.get('Method')} {echec.get('Name')} : {echec.get('Error')}")
        print("ÉCHEC : des requêtes ont échoué")
        return 1
    if args.objectif and debit < args.objectif:
        print(f"ATTENTION : débit atteint {debit:.1f} requêtes/s, sous l'objectif de {args.objectif:g}")
    if debit < args.min_debit:
        print(f"ÉCHEC : débit atteint {debit:.1f} < {args.min_debit:g} requêtes/s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
