"""Beds for the Location capacities.

Installed capacity comes from the offer itself (Structure.lits_installes /
places_installees). Available beds belong to the `disponibilites` app: this is
the one place that reads them, so the FHIR mapping does not depend on how that
app stores them. Until it exposes a reading function, no available figure is
served (the hook below returns nothing).
"""

from importlib import import_module


def lits_disponibles(uo_ids) -> dict:
    """{uo_id: (nombre de lits disponibles, date de mise à jour)} for the given UO.

    Uses `disponibilites.lecture.lits_disponibles(uo_ids)` when that function
    exists (same return shape); otherwise returns {}.
    """
    try:
        lecture = import_module("disponibilites.lecture")
    except ImportError:
        return {}
    fonction = getattr(lecture, "lits_disponibles", None)
    return fonction(list(uo_ids)) if fonction else {}
