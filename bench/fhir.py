"""Benchmark: server time of FHIR `_lastUpdated` searchset pages, as a synchronising
consumer reads them (HealthcareService, 200 per page — the API maximum — so a
1,000-resource read is 5 pages; Location and Organization pages too), and with
`--export` the whole offer's Bulk Data `$export` (time, peak memory, NDJSON sizes).

    .venv/bin/python bench/fhir.py [--tours 5] [--export]

Runs against DATABASE_URL (for the national base: a copy of it, see the brief) or the
local embedded database; if that one has no offer yet, builds the demo region in it
first. Time is measured in-process through Django's full request stack (middleware,
token check, query, mapping, JSON), without network. Goal: p95 ≤ 100 ms for a
200-resource HealthcareService page. Each line also gives the CPU a page costs, Python and (when
PostgreSQL runs on this machine) its backend: figures that hold whatever the machine's load, where
the wall time under load is mostly waiting for a core. The export runs in this process (what the Celery
task runs), its files in a temporary folder removed afterwards.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


def _cpu_postgresql() -> float | None:
    """CPU time (ms) of this process's PostgreSQL backend so far, when the server runs on this machine:
    with the Python CPU, what a page costs whatever the machine's load (wall time under load is
    mostly waiting for a core)."""
    from django.db import connection

    try:
        connection.ensure_connection()
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            champs = stat.read().rsplit(")", 1)[1].split()
        return (int(champs[11]) + int(champs[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, AttributeError, IndexError, ValueError):
        return None


def _pages(client, url, entete, nombre):
    """Follow `next` links for `nombre` pages; returns [(ms, entries, total, Python CPU ms, PostgreSQL CPU ms)]."""
    mesures = []
    for _ in range(nombre):
        pg = _cpu_postgresql()
        debut, cpu = time.perf_counter(), time.process_time()
        reponse = client.get(url, HTTP_AUTHORIZATION=entete)
        duree = (time.perf_counter() - debut) * 1000
        cpu = (time.process_time() - cpu) * 1000
        pg_apres = _cpu_postgresql()
        assert reponse.status_code == 200, reponse.content[:300]
        # json.loads, not the test client's reponse.json(): that one caches the parsed Bundle on the
        # response, inside its reference cycles, so every page read left tens of thousands of dicts for
        # the garbage collector, and the server's next pages paid for walking them (the p95 spikes) —
        # a cost of the bench, which no consumer's process puts on the server.
        bundle = json.loads(reponse.content)
        del reponse
        mesures.append((duree, len(bundle.get("entry", [])), bundle.get("total", "non compté"), cpu,
                        pg_apres - pg if pg is not None and pg_apres is not None else None))
        url = next((l["url"] for l in bundle["link"] if l["relation"] == "next"), None)
        if not url:
            break
    return mesures


def _resume(nom, mesures):
    temps = sorted(m[0] for m in mesures)
    p95 = temps[min(len(temps) - 1, int(round(0.95 * (len(temps) - 1))))]
    ressources = sum(m[1] for m in mesures)
    print(f"{nom:<58} pages={len(temps):>3}  p50={statistics.median(temps):7.1f} ms  p95={p95:7.1f} ms  "
          f"max={temps[-1]:7.1f} ms  CPU Python p50={statistics.median(m[3] for m in mesures):6.1f} ms  "
          f"{_cpu_pg(mesures)}"
          f"({ressources} ressources, total={mesures[0][2]})  [load {_charge()}]")


def _cpu_pg(mesures) -> str:
    pg = [m[4] for m in mesures if m[4] is not None]
    if not pg:
        return ""
    pg.sort()
    return f"CPU PostgreSQL p50={statistics.median(pg):5.1f} p95={pg[min(len(pg) - 1, int(round(0.95 * (len(pg) - 1))))]:5.1f} ms  "


def _charge() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tours", type=int, default=5, help="répétitions de chaque lecture")
    parser.add_argument("--export", action="store_true", help="mesurer aussi le $export de toute l'offre")
    parser.add_argument("--sans-pages", action="store_true", help="ne pas mesurer les pages")
    parser.add_argument("--lectures", default="", help="ne mesurer que les lectures dont le nom contient ce texte")
    parser.add_argument("--types", default="", help="types du $export, séparés par des virgules (défaut : tous)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool: its settings, explicitly
    os.environ.setdefault("ROR_CACHE", "aucun")  # each page computed, as a new query is
    import ror.wsgi  # noqa: F401 — the process as the server starts it (setup, garbage collector frozen)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from interop.fhir import instant
    from interop.parametres import encoder_curseur
    from repertoire import access
    from repertoire.models import PorteeJeton, Structure
    from repertoire.services import jetons_api
    from tests.factories import utilisateur

    if not Structure.objects.uo().exists():
        print("Base sans offre : construction de la région de démonstration…")
        call_command("preparer_demo", stdout=open(os.devnull, "w"))
    nb_uo = Structure.objects.uo().count()
    nb_eg = Structure.objects.eg().count()
    national = "national" in str(connection.settings_dict.get("HOST", ""))
    print(f"Charge de la machine (load average 1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    print(f"Base : {connection.settings_dict['NAME']} ({'copie nationale' if national else 'données locales'}) — "
          f"{nb_eg} EG, {nb_uo} UO")

    gestionnaire = utilisateur(f"banc_fhir_{int(time.time())}", access.GROUPE_GESTIONNAIRE)
    jeton, clair = jetons_api.creer_jeton(gestionnaire, PorteeJeton.FHIR, "bench")
    entete = f"Bearer {clair}"
    client = Client()
    try:
        # "What changed since X", X chosen so that 1,000 UO match, then since the beginning.
        recents = Structure.objects.uo().order_by("-modifie_le").values_list("modifie_le",
                                                                                                 flat=True)
        depuis_1000 = instant(recents[min(999, nb_uo - 1)]).replace("+00:00", "Z")
        depuis_tout = instant(Structure.objects.order_by("modifie_le").values_list("modifie_le", flat=True)
                              .first()).replace("+00:00", "Z")
        # A place in the middle of the served positions (an EG's), for the proximity searches.
        places = Structure.objects.eg().filter(latitude__isnull=False, longitude__isnull=False, commune__isnull=False)
        centre = places.order_by("pk").values_list("latitude", "longitude", "commune_id")[places.count() // 2]
        milieu = encoder_curseur(Structure.objects.uo().order_by("modifie_le", "pk")[nb_uo // 2], None)
        _pages(client, "/fhir/HealthcareService?_count=200", entete, 1)  # warm-up
        # A search's total is counted only when asked (_total=accurate), on its first page, and kept
        # while the offer does not change (not here: ROR_CACHE=aucun): measured apart, once. The pages below do not ask for it, as a synchronising consumer.
        for nom, url in (("HealthcareService", f"/fhir/HealthcareService?_lastUpdated=ge{depuis_1000}&_count=200"
                                               "&_total=accurate"),
                         ("HealthcareService (tout)", f"/fhir/HealthcareService?_lastUpdated=ge{depuis_tout}"
                                                      "&_count=200&_total=accurate")):
            debut = time.perf_counter()
            total = _pages(client, url, entete, 1)[0][2]
            print(f"Première page (comptage du total, {total} offres) {nom} : {(time.perf_counter() - debut) * 1000:.0f} ms"
                  f"  [load {_charge()}]", flush=True)
        lectures = [
            ("HealthcareService _lastUpdated (1 000 dernières), 200/page",
             f"/fhir/HealthcareService?_lastUpdated=ge{depuis_1000}&_count=200", 5),
            ("HealthcareService _lastUpdated (tout), 200/page",
             f"/fhir/HealthcareService?_lastUpdated=ge{depuis_tout}&_count=200", 5),
            ("Location _lastUpdated (1 000 dernières), 200/page",
             f"/fhir/Location?_lastUpdated=ge{depuis_1000}&_count=200", 5),
            ("HealthcareService + _revinclude=PractitionerRole:service, 200/page",
             f"/fhir/HealthcareService?_lastUpdated=ge{depuis_1000}&_count=200"
             "&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner", 5),
            ("Organization _lastUpdated (tout), 200/page",
             f"/fhir/Organization?_lastUpdated=ge{depuis_tout}&_count=200", 5),
            # A full sync's pages go on to the last unit: from the middle of the units (a bulk-written base
            # shares one modifie_le, where a cursor's range must start at its id, not at its date).
            ("HealthcareService _lastUpdated (tout), pages du milieu",
             f"/fhir/HealthcareService?_lastUpdated=ge{depuis_tout}&_count=200&_curseur={milieu}", 5),
            ("Location near 20 km d'une EG (Location-near), 200/page",
             f"/fhir/Location?near={centre[0]:.5f}|{centre[1]:.5f}|20|km&_count=200", 5),
            ("Location near-insee-code 20 km (sa commune), 200/page",
             f"/fhir/Location?near-insee-code={centre[2]}|20|km&_count=200", 5),
        ]
        lectures = [lecture for lecture in lectures if args.lectures.lower() in lecture[0].lower()]
        if args.sans_pages:
            lectures = []
        for nom, url, pages in lectures:
            mesures, totaux = [], []
            for _ in range(args.tours):
                tour = _pages(client, url, entete, pages)
                mesures += tour
                totaux.append(sum(m[0] for m in tour))
            _resume(nom, mesures)
            print(f"{'':<58} 1 000 ressources (5 pages) : médiane {statistics.median(totaux):.0f} ms  "
                  f"[load {_charge()}]")
        if args.export:
            _mesurer_export(jeton, [t for t in args.types.split(",") if t])
    finally:
        jetons_api.revoquer_jeton(gestionnaire, jeton)
        jeton.delete()
        gestionnaire.delete()


def _mesurer_export(jeton, types=None):
    """The whole offer's $export, as the Celery task runs it: time, peak memory, file sizes."""
    import resource
    import shutil
    import tempfile

    from django.conf import settings

    from interop import export
    from interop.models import ExportFhir

    dossier = Path(tempfile.mkdtemp(prefix="bench_export_"))
    settings.FHIR_EXPORT_DIR = dossier
    avant = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    types = types or list(export.TYPES)
    demande = ExportFhir.objects.create(jeton=jeton, demande="/fhir/$export", types=types)
    export.dossier(demande).mkdir(parents=True, exist_ok=True)
    debut_total, total_octets, total_ressources = time.perf_counter(), 0, 0
    try:
        # Type by type, as export.executer does, printing each as it ends (a national export is long).
        for type_ressource in types:
            debut, cpu = time.perf_counter(), time.process_time()
            nombre = export._ecrire(demande, type_ressource)
            duree, cpu = time.perf_counter() - debut, time.process_time() - cpu
            taille = export.fichier(demande, type_ressource).stat().st_size
            pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            total_octets += taille
            total_ressources += nombre
            print(f"$export {type_ressource:<18} {nombre:>9} ressources en {duree:6.0f} s (CPU Python {cpu:.0f} s), "
                  f"{taille / 1e6:7.0f} Mo NDJSON, mémoire max du processus {pic:.0f} Mo (avant : {avant:.0f} Mo)"
                  f"  [load {_charge()}]",
                  flush=True)
        duree = time.perf_counter() - debut_total
        print(f"$export de toute l'offre : {total_ressources} ressources, {duree:.0f} s, "
              f"{total_octets / 1e9:.2f} Go, {total_ressources / duree:.0f} ressources/s  [load {_charge()}]", flush=True)
    finally:
        shutil.rmtree(dossier, ignore_errors=True)
        demande.delete()


if __name__ == "__main__":
    main()
