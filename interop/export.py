"""FHIR Bulk Data `$export` of the whole offer: one NDJSON file per resource type, written by a
Celery task in batches (memory stays flat however large the region), served to the token that
asked for it until it expires. The ANS asks consumers to re-read the whole offer at least weekly.
"""

import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
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
    (no token left: the strictest profile). People: the units and EGs that hold one (interop.personnes)."""
    if type_ressource in PERSONNES:
        # A unit's responsable and an EG's director; PractitionerRole: of a unit that has an offer.
        uo = fhir.structures_de("HealthcareService" if type_ressource == "PractitionerRole" else "Location",
                                export.jeton)
        eg = fhir.structures_de("Organization", export.jeton).filter(niveau=Niveau.EG)
        porteurs = personnes.contacts_servis().order_by("structure_id").values_list("structure_id", flat=True)
        sources = [uo] if type_ressource == "PractitionerRole" else [uo, eg]
    else:
        sources, porteurs = [fhir.structures_de(type_ressource, export.jeton)], None
    if export.depuis:
        sources = [q.filter(modifie_le__gte=export.depuis) for q in sources]
    dernier = 0
    while True:
        if porteurs is None:
            lot = list(sources[0].filter(pk__gt=dernier).order_by("pk")[:LOT])
            if not lot:
                return
            dernier = lot[-1].pk
        else:
            ids = sorted(set(porteurs.filter(structure_id__gt=dernier)[:LOT]))
            if not ids:
                return
            dernier = ids[-1]
            lot = sorted((s for q in sources for s in q.filter(pk__in=ids)), key=lambda s: s.pk)
        yield lot


def _ecrire(export: ExportFhir, type_ressource: str) -> int:
    nombre = 0
    with open(fichier(export, type_ressource), "wb") as sortie:
        for lot in _lots(export, type_ressource):
            if type_ressource in PERSONNES:
                personnes.precharger(lot)
                if type_ressource == "PractitionerRole":  # one per offer of the unit
                    fhir.precharger(lot, ["activites", "modes_prise_en_charge"])
                ressources = personnes.personnes_de(lot, type_ressource)
            else:
                ressources = fhir.ressources(type_ressource, lot)
            for ressource in ressources:
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
