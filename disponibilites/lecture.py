"""What other apps may read of the beds (the FHIR Location capacities read it)."""

from django.db.models.functions import Coalesce

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


# TRE_R330-TypeStatutCapacite code → the SituationLits figure and its date.
STATUTS = {"02": "disponibles", "03": "occupes", "04": "reserves", "05": "fermes", "06": "supplementaires"}


def situations_lits(uo_ids) -> dict:
    """{uo_id: ({R330 code: (number, date of the figure)}, date of the last change)} for every status
    a unit reported."""
    champs = [c for champ in STATUTS.values() for c in (champ, f"{champ}_le")]
    resultat = {}
    for ligne in SituationLits.objects.filter(uo__in=list(uo_ids)).values("uo_id", "modifie_le", *champs):
        figures = {code: (ligne[champ], ligne[f"{champ}_le"] or ligne["modifie_le"]) for code, champ in STATUTS.items()
                   if ligne[champ] is not None}
        resultat[ligne["uo_id"]] = (figures, ligne["modifie_le"])
    return resultat


def uo_avec_lits(statut: str, bornes: dict | None = None):
    """Ids of the units reporting a figure > 0 for a R330 status (FHIR capacity-status), or a figure that
    meets `bornes` ({"gte": n}, {"ne": n}…: FHIR nb-capacity)."""
    champ = STATUTS.get(statut)
    if not champ:
        return []
    situations = SituationLits.objects.filter(**{f"{champ}__isnull": False})
    if bornes is None:
        return situations.filter(**{f"{champ}__gt": 0}).values("uo_id")
    if "ne" in bornes:
        return situations.exclude(**{champ: bornes["ne"]}).values("uo_id")
    return situations.filter(**{f"{champ}__{k}": v for k, v in bornes.items()}).values("uo_id")


def uo_lits_dates(statut: str, bornes: dict):
    """Ids of the units whose figure for a R330 status is dated within `bornes` ({"gte": …, "lt": …}): the
    figure's own date, else the situation's (as situations_lits dates it)."""
    champ = STATUTS.get(statut)
    if not champ:
        return []
    return (SituationLits.objects.filter(**{f"{champ}__isnull": False})
            .annotate(date_figure=Coalesce(f"{champ}_le", "modifie_le"))
            .filter(**{f"date_figure__{k}": v for k, v in bornes.items()}).values("uo_id"))


def uo_lits_modifies(bornes: dict):
    """Ids of the units whose beds changed within `bornes` ({"gte": …, "lt": …} on the date)."""
    return SituationLits.objects.filter(**{f"modifie_le__{k}": v for k, v in bornes.items()}).values("uo_id")


def encadre_fiche(uo) -> dict | None:
    """The "Lits disponibles" box of a unit's fiche, when the unit is followed (None: no box)."""
    if not est_concernee(uo):
        return None
    return {"situation": SituationLits.objects.filter(uo=uo).first()}
