"""FHIR Bulk Data `$export` of the whole offer: one NDJSON file per resource type, written by a
Celery task in batches (memory stays flat however large the region), served to the token that
asked for it until it expires. The ANS asks consumers to re-read the whole offer at least weekly.
"""

import shutil
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from repertoire.models import Niveau

from . import fhir, personnes
from .models import EtatExport, ExportFhir

TYPES = ("Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole")
PERSONNES = ("Practitioner", "PractitionerRole")
LOT = 1000


def dossier(export: ExportFhir) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(export.id)


def fichier(export: ExportFhir, type_ressource: str) -> Path:
    return dossier(export) / f"{type_ressource}.ndjson"


def _lots(export: ExportFhir, type_ressource: str):
    """The structures behind a type, by batches of LOT in id order, as this consumer may see them
    (no token left: the strictest profile): (queryset, the batch's ids by the id index)."""
    if type_ressource in PERSONNES:
        # A unit's responsable and an EG's director; PractitionerRole: of a unit that has an offer.
        sources = [fhir.structures_de("HealthcareService" if type_ressource == "PractitionerRole" else "Location",
                                      export.jeton)]
        if type_ressource == "Practitioner":
            sources.append(fhir.structures_de("Organization", export.jeton).filter(niveau=Niveau.EG))
    else:
        sources = [fhir.structures_de(type_ressource, export.jeton)]
    for source in sources:
        if export.depuis:
            source = source.filter(modifie_le__gte=export.depuis)
        dernier = 0
        while True:
            ids = list(source.filter(pk__gt=dernier).order_by("pk").values_list("pk", flat=True)[:LOT])
            if not ids:
                break
            dernier = ids[-1]
            yield source, ids


def _lire(type_ressource: str, source, ids: list[int]):
    """A batch's rows and what their mapping needs (a few plain queries), not mapped yet. People: the
    units and EGs that hold one (interop.personnes) — a join of the contacts to the structures made
    the planner walk the whole table (6 to 13 s a batch nationally)."""
    if type_ressource in PERSONNES:
        ids = personnes.porteurs(ids)
    structures = list(source.filter(pk__in=ids).order_by("pk")) if ids else []
    if type_ressource in PERSONNES:
        personnes.precharger(structures)
        if type_ressource == "PractitionerRole":  # one per offer of the unit
            fhir.precharger(structures, ["activites", "modes_prise_en_charge"])
        return structures
    return fhir.Lot(type_ressource, structures)


LECTEURS = 3  # batches read at once, ahead of the one being written


def _lus(export: ExportFhir, type_ressource: str):
    """The read batches, in order. Threads (each with its own connection) read the next batches while
    this one is mapped and written, so PostgreSQL and Python work at once: read in turn, most of a
    national export's time was spent waiting for the database. Inside a transaction (tests) a thread
    would not see its rows: read in turn."""
    lots = _lots(export, type_ressource)
    if connection.in_atomic_block:
        for source, ids in lots:
            yield _lire(type_ressource, source, ids)
        return

    def lire(source, ids):
        try:
            return _lire(type_ressource, source, ids)
        finally:
            connections.close_all()  # this thread's connection: the pool's threads end with the export

    with ThreadPoolExecutor(max_workers=LECTEURS) as lecteurs:
        attendus = deque()
        for source, ids in lots:
            attendus.append(lecteurs.submit(lire, source, ids))
            if len(attendus) > LECTEURS:
                yield attendus.popleft().result()
        while attendus:
            yield attendus.popleft().result()


def _ressources(type_ressource: str, lu):
    """A read batch mapped: the same code as the API's pages (fhir.Lot, interop.personnes)."""
    if type_ressource in PERSONNES:
        return personnes.personnes_de(lu, type_ressource)
    return lu.ressources()


def _ecrire(export: ExportFhir, type_ressource: str) -> int:
    nombre = 0
    with open(fichier(export, type_ressource), "wb") as sortie:
        for lu in _lus(export, type_ressource):
            for ressource in _ressources(type_ressource, lu):
                sortie.write(fhir.en_json(ressource))
                sortie.write(b"\n")
                nombre += 1
            ExportFhir.objects.filter(pk=export.pk).update(progression=f"{type_ressource} : {nombre} ressources")
    return nombre


def executer(export_id) -> None:
    export = ExportFhir.objects.get(pk=export_id)
    dossier(export).mkdir(parents=True, exist_ok=True)
    try:
        fichiers = [{"type": t, "fichier": f"{t}.ndjson", "nombre": _ecrire(export, t)} for t in export.types]
    except Exception as erreur:  # noqa: BLE001 — the consumer polls the status: it must learn the failure
        ExportFhir.objects.filter(pk=export.pk).update(etat=EtatExport.ERREUR, erreur=str(erreur)[:500],
                                                        termine_le=timezone.now(),
                                                        expire_le=timezone.now() + duree())
        raise
    maintenant = timezone.now()
    ExportFhir.objects.filter(pk=export.pk).update(etat=EtatExport.TERMINE, fichiers=fichiers, progression="",
                                                    termine_le=maintenant, expire_le=maintenant + duree())


def duree() -> timedelta:
    return timedelta(hours=settings.FHIR_EXPORT_DUREE_HEURES)


def supprimer(export: ExportFhir) -> None:
    shutil.rmtree(dossier(export), ignore_errors=True)
    export.delete()


def purger_expires() -> int:
    """Delete the exports past their expiry, and their files."""
    expires = list(ExportFhir.objects.filter(expire_le__lt=timezone.now()))
    for export in expires:
        supprimer(export)
    return len(expires)
