"""Beds for the Location capacities.

Installed capacity comes from the offer itself (Structure.lits_installes /
places_installees). Available beds belong to the `disponibilites` app: this is
the one place that reads them, so the FHIR mapping does not depend on how that
app stores them. Until it exposes a reading function, no available figure is
served (the hook below returns nothing).
"""

from importlib import import_module

from django.db.models import Q


def _lecture():
    try:
        return import_module("disponibilites.lecture")
    except ImportError:
        return None


def filtre_lits_disponibles() -> Q:
    """Condition on Structure "has beds reported available" (capacity-status=02).

    Uses `disponibilites.lecture.uo_avec_lits_disponibles()` (a queryset or list of UO ids)
    when it exists; otherwise matches nothing.
    """
    fonction = getattr(_lecture(), "uo_avec_lits_disponibles", None)
    return Q(pk__in=fonction()) if fonction else Q(pk__in=[])


def lits_disponibles(uo_ids) -> dict:
    """{uo_id: (nombre de lits disponibles, date de mise à jour)} for the given UO.

    Uses `disponibilites.lecture.lits_disponibles(uo_ids)` when that function
    exists (same return shape); otherwise returns {}.
    """
    fonction = getattr(_lecture(), "lits_disponibles", None)
    return fonction(list(uo_ids)) if fonction else {}
