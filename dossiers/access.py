"""Who may see and act on a dossier collaboratif: the one place dossiers answers it.

Structure rights come from repertoire.access (the only reader of rights):
- see / fill / send / abandon: référents and directeurs of the structure, gestionnaires
  (OUVRIR_DOSSIER);
- validate: the directeur of the structure only (the DIRECTEUR droit held on it or above);
- publish / reject: gestionnaires only (PUBLIER_DOSSIER).
Everyone else gets 403, on every dossier URL. Deny by default.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from repertoire import access

from .models import DossierCollaboratif, EtatDossier

VOIR = "voir"
REMPLIR = "remplir"
VALIDER = "valider"
PUBLIER = "publier"

# The structure right each dossier action needs (VALIDER: held, gestionnaires are not directeurs).
DROIT_PAR_ACTION = {VOIR: access.OUVRIR_DOSSIER, REMPLIR: access.OUVRIR_DOSSIER, VALIDER: access.DIRECTEUR,
                    PUBLIER: access.PUBLIER_DOSSIER}


def peut(user, action: str, dossier: DossierCollaboratif) -> bool:
    droit = DROIT_PAR_ACTION.get(action)
    return droit is not None and access.peut(user, droit, dossier.structure)


def exiger(user, action: str, dossier: DossierCollaboratif) -> DossierCollaboratif:
    if not peut(user, action, dossier):
        raise PermissionDenied("Vous n'avez pas les droits nécessaires sur ce dossier collaboratif.")
    return dossier


def get_dossier_or_403(user, pk, action: str = VOIR) -> DossierCollaboratif:
    dossier = get_object_or_404(DossierCollaboratif.objects.select_related("structure", "ouvert_par"), pk=pk)
    return exiger(user, action, dossier)


def dossiers_autorises(user, action: str = VOIR):
    """The dossiers the user may act on: those of the structures the action's right covers."""
    droit = DROIT_PAR_ACTION.get(action)
    if droit is None:
        return DossierCollaboratif.objects.none()
    return access.sur_structures_autorisees(user, droit, DossierCollaboratif.objects.all())


def dossiers_a_traiter(user):
    """The dossiers waiting for this user: to fill (référent), validate (directeur), publish (gestionnaire)."""
    a_remplir = Q(pk__in=[]) if access.est_gestionnaire(user) else Q(
        pk__in=dossiers_autorises(user, REMPLIR).filter(etat=EtatDossier.BROUILLON).values("pk"))
    a_valider = Q(pk__in=dossiers_autorises(user, VALIDER).filter(etat=EtatDossier.VALIDATION_DIRECTEUR)
                  .values("pk"))
    a_publier = Q(pk__in=dossiers_autorises(user, PUBLIER).filter(etat=EtatDossier.VALIDATION_GESTIONNAIRE)
                  .values("pk"))
    return DossierCollaboratif.objects.filter(a_remplir | a_valider | a_publier).select_related("structure")
