"""Who may manage accounts: gestionnaires everything (repertoire.access.gestionnaire_requis);
a directeur names the référents of his own EJ/EG (NOMMER_REFERENTS). Structure rights are
read through repertoire.access, the only reader of rights."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from repertoire import access
from repertoire.models import Niveau, Structure

NIVEAUX_HABILITABLES = (Niveau.EJ, Niveau.EG)  # rights are given on these (valid below them)
NOMMER_REFERENTS = "nommer_referents"


def peut(user, action: str, structure: Structure) -> bool:
    # A gestionnaire may everything; a directeur validates (and staffs) his own structures.
    return (action == NOMMER_REFERENTS and structure.niveau in NIVEAUX_HABILITABLES
            and access.peut(user, access.VALIDER_DOSSIER, structure))


def get_structure_or_403(user, pk, action: str = NOMMER_REFERENTS) -> Structure:
    structure = get_object_or_404(Structure, pk=pk)
    if not peut(user, action, structure):
        raise PermissionDenied("Seul le directeur de la structure (ou un gestionnaire) nomme ses référents.")
    return structure


def structures_autorisees(user, action: str = NOMMER_REFERENTS):
    """The EJ/EG on which the user may name référents."""
    if action != NOMMER_REFERENTS:
        return Structure.objects.none()
    return access.structures_autorisees(user, access.VALIDER_DOSSIER).filter(niveau__in=NIVEAUX_HABILITABLES)
