"""Who may see and enter beds: built on repertoire.access (the only reader of rights), deny by default.

- the board, its map, export and history: every logged-in user (LIRE);
- entering beds (SAISIR_LITS): référent or directeur of the structure, or the
  `saisie_lits` right, on a followed unit; gestionnaires everywhere;
- tensions, API tokens, followed units: gestionnaires only (ADMINISTRER).
"""

from repertoire import access
from repertoire.models import Structure

from .services.suivi import unites_concernees


def unites_autorisees(user, action: str = access.SAISIR_LITS):
    """The followed units the user may act on."""
    return access.structures_autorisees(user, action, unites_concernees())


def get_unite_or_403(user, pk, action: str = access.LIRE) -> Structure:
    """A followed unit the user may act on (404 if it is not followed)."""
    return access.get_structure_or_403(user, pk, action, unites_concernees().select_related("eg", "departement"))
