"""What other apps may read of the beds (the FHIR Location capacities read it)."""

from .models import SituationLits
from .services.suivi import est_concernee


def lits_disponibles(uo_ids) -> dict:
    """{uo_id: (available beds, date of the figure)} for the units that reported one."""
    return {
        uo: (nombre, date)
        for uo, nombre, date in SituationLits.objects.filter(uo__in=list(uo_ids), disponibles__isnull=False)
        .values_list("uo_id", "disponibles", "disponibles_le")
    }


def uo_avec_lits_disponibles():
    """Ids of the units reporting at least one available bed (FHIR capacity-status=02)."""
    return SituationLits.objects.filter(disponibles__gt=0).values("uo_id")


def encadre_fiche(uo) -> dict | None:
    """The "Lits disponibles" box of a unit's fiche, when the unit is followed (None: no box)."""
    if not est_concernee(uo):
        return None
    return {"situation": SituationLits.objects.filter(uo=uo).first()}
