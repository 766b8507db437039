"""Who may see and enter beds: built on repertoire.access, deny by default.

- the board, its map, export and history: every logged-in user;
- entering beds (SAISIR_LITS): référent or directeur of the structure, or the
  `saisie_lits` right, on a followed unit; gestionnaires everywhere;
- tensions, API tokens, followed units: gestionnaires only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from repertoire import access
from repertoire.models import Structure

from .services.suivi import unites_concernees


def unites_saisissables(user):
    """The followed units this user may enter beds for."""
    return access.structures_autorisees(user, access.SAISIR_LITS, unites_concernees())


def peut_saisir_quelque_chose(user) -> bool:
    """Gestionnaires, and anyone holding a right that allows entering beds somewhere."""
    if access.est_gestionnaire(user):
        return True
    return access.structures_autorisees(user, access.SAISIR_LITS).exists()


def exiger_acces_saisie(user) -> None:
    if not peut_saisir_quelque_chose(user):
        raise PermissionDenied("La saisie des lits est réservée aux responsables des unités.")


def exiger_saisie(user, uo: Structure) -> Structure:
    """The unit, if it is followed and the user may enter its beds; else PermissionDenied."""
    access.exiger(user, access.SAISIR_LITS, uo)
    if not unites_concernees().filter(pk=uo.pk).exists():
        raise PermissionDenied("Cette unité n'est pas suivie en disponibilités de lits.")
    return uo


def get_unite_suivie_or_404(pk) -> Structure:
    """A followed unit, for reading (history)."""
    return get_object_or_404(unites_concernees().select_related("eg", "departement"), pk=pk)


exiger_gestionnaire = access.exiger_gestionnaire
