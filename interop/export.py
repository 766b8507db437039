"""FHIR Bulk Data `$export` of the whole offer: one NDJSON file per resource type, written by a
Celery task in batches (memory stays flat however large the region), served to the token that
asked for it until it expires. The ANS asks consumers to re-read the whole offer at least weekly.
"""

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import fhir
from .models import EtatExport, ExportFhir

TYPES = ("Organization", "Location", "HealthcareService")
LOT = 1000


def dossier(export: ExportFhir) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(export.id)


def fichier(export: ExportFhir, type_ressource: str) -> Path:
    return dossier(export) / f"{type_ressource}.ndjson"


def _ecrire(export: ExportFhir, type_ressource: str) -> int:
    queryset = fhir.structures_de(type_ressource, export.jeton)  # no token left: the strictest profile
    if export.depuis:
        queryset = queryset.filter(modifie_le__gte=export.depuis)
    nombre, dernier = 0, 0
    with open(fichier(export, type_ressource), "wb") as sortie:
        while True:
            lot = list(queryset.filter(pk__gt=dernier).order_by("pk")[:LOT])
            if not lot:
                return nombre
            for ressource in fhir.ressources(type_ressource, lot):
                sortie.write(fhir.en_json(ressource))
                sortie.write(b"\n")
                nombre += 1
            dernier = lot[-1].pk
            ExportFhir.objects.filter(pk=export.pk).update(progression=f"{type_ressource} : {nombre} ressources")


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
