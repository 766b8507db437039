"""Who may manage accounts: gestionnaires everything; a directeur the référents of his own EJ/EG."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from repertoire import access
from repertoire.models import Structure

from .services import NIVEAUX_HABILITABLES


def gestionnaire_requis(vue):
    """Anonymous → login page; logged in but not gestionnaire → 403."""

    @login_required
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        access.exiger_gestionnaire(request.user)
        return vue(request, *args, **kwargs)

    return enveloppe


def peut_nommer_referents(user, structure: Structure) -> bool:
    # peut(): a gestionnaire may everything; a directeur validates (and staffs) his own structures.
    return structure.niveau in NIVEAUX_HABILITABLES and access.peut(user, access.VALIDER_DOSSIER, structure)


def structure_pour_referents_or_403(user, pk) -> Structure:
    structure = get_object_or_404(Structure, pk=pk)
    if not peut_nommer_referents(user, structure):
        raise PermissionDenied("Seul le directeur de la structure (ou un gestionnaire) nomme ses référents.")
    return structure


def structures_dirigees(user):
    """The EJ/EG on which the user may name référents."""
    if access.est_gestionnaire(user):
        return Structure.objects.none()  # gestionnaires use the habilitations pages
    return access.structures_autorisees(user, access.VALIDER_DOSSIER).filter(niveau__in=NIVEAUX_HABILITABLES)
