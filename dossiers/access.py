"""Who may see and act on a dossier collaboratif: the one place dossiers answers it.

- see / fill / send / abandon: référents and directeurs of the structure, gestionnaires
  (repertoire.access OUVRIR_DOSSIER);
- validate: the directeur of the structure only (a right granted on it or above it);
- publish / reject: gestionnaires only (PUBLIER_DOSSIER).
Everyone else gets 403, on every dossier URL. Deny by default.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from repertoire import access
from repertoire.models import Structure, StructureGroupObjectPermission, StructureUserObjectPermission

from .models import DossierCollaboratif

VOIR = "voir"
REMPLIR = "remplir"
VALIDER = "valider"
PUBLIER = "publier"


def est_directeur(user, structure: Structure) -> bool:
    """A directeur right on this structure or one of its ancestors (gestionnaires are not directeurs)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    ancetres = structure.get_ancestors(include_self=True)
    par_user = StructureUserObjectPermission.objects.filter(
        user=user, permission__codename="directeur", content_object__in=ancetres)
    par_groupe = StructureGroupObjectPermission.objects.filter(
        group__user=user, permission__codename="directeur", content_object__in=ancetres)
    return par_user.exists() or par_groupe.exists()


def peut(user, action: str, dossier: DossierCollaboratif) -> bool:
    if action in (VOIR, REMPLIR):
        return access.peut(user, access.OUVRIR_DOSSIER, dossier.structure)
    if action == VALIDER:
        return est_directeur(user, dossier.structure)
    if action == PUBLIER:
        return access.est_gestionnaire(user) and access.peut(user, access.PUBLIER_DOSSIER, dossier.structure)
    return False


def exiger(user, action: str, dossier: DossierCollaboratif) -> DossierCollaboratif:
    if not peut(user, action, dossier):
        raise PermissionDenied("Vous n'avez pas les droits nécessaires sur ce dossier collaboratif.")
    return dossier


def get_dossier_or_403(user, pk, action: str = VOIR) -> DossierCollaboratif:
    dossier = get_object_or_404(DossierCollaboratif.objects.select_related("structure", "ouvert_par"), pk=pk)
    return exiger(user, action, dossier)


def peut_ouvrir(user, structure: Structure) -> bool:
    return access.peut(user, access.OUVRIR_DOSSIER, structure)


def structures_a_ouvrir(user, limite: int = 50):
    """The EJ/EG a référent or directeur may open a dossier on (gestionnaires go through the Répertoire)."""
    if access.est_gestionnaire(user):
        return Structure.objects.none()
    return access.structures_autorisees(user, access.OUVRIR_DOSSIER).filter(
        niveau__in=["EJ", "EG"]).order_by("tree_id", "lft")[:limite]


def dossiers_visibles(user):
    """The dossiers a user may see: those of the structures it may open a dossier on."""
    if access.est_gestionnaire(user):
        return DossierCollaboratif.objects.all()
    structures = access.structures_autorisees(user, access.OUVRIR_DOSSIER)
    return DossierCollaboratif.objects.filter(structure__in=structures)


def exiger_acces_aux_dossiers(user) -> None:
    """The list is for référents, directeurs and gestionnaires; consultants get 403."""
    if access.est_gestionnaire(user):
        return
    if not access.structures_autorisees(user, access.OUVRIR_DOSSIER).exists():
        raise PermissionDenied("Les dossiers collaboratifs sont réservés aux référents, directeurs et gestionnaires.")


def dossiers_a_traiter(user):
    """The dossiers waiting for this user: to fill (référent), validate (directeur), publish (gestionnaire)."""
    from .models import EtatDossier

    visibles = dossiers_visibles(user)
    condition = Q(etat=EtatDossier.BROUILLON)
    if access.est_gestionnaire(user):
        condition = Q(etat=EtatDossier.VALIDATION_GESTIONNAIRE)
    a_traiter = [d.pk for d in visibles.filter(condition | Q(etat=EtatDossier.VALIDATION_DIRECTEUR))
                 .select_related("structure")
                 if d.etat != EtatDossier.VALIDATION_DIRECTEUR or est_directeur(user, d.structure)]
    return DossierCollaboratif.objects.filter(pk__in=a_traiter).select_related("structure")
