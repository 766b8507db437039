"""Who may do what on which structure: the one place repertoire answers it.

Rights are granted on an EJ or an EG (django-guardian object permissions
`referent`, `directeur`, `saisie_lits`) and hold for everything below it.
Gestionnaires ROR act on everything. Deny by default.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Niveau, Structure, StructureGroupObjectPermission, StructureUserObjectPermission

GROUPE_CONSULTANT = "Consultant"
GROUPE_REFERENT = "Référent structure"
GROUPE_DIRECTEUR = "Directeur"
GROUPE_GESTIONNAIRE = "Gestionnaire ROR"
GROUPES = [GROUPE_CONSULTANT, GROUPE_REFERENT, GROUPE_DIRECTEUR, GROUPE_GESTIONNAIRE]

LIRE = "lire"
MODIFIER = "modifier"  # operational data, one encadré at a time
OUVRIR_DOSSIER = "ouvrir_dossier"
VALIDER_DOSSIER = "valider_dossier"
PUBLIER_DOSSIER = "publier_dossier"
MODIFIER_EJ = "modifier_ej"
SAISIR_LITS = "saisir_lits"
ADMINISTRER = "administrer"  # imports, synchronisation, quality, habilitations

# Which per-structure permission grants which action (gestionnaires have them all).
PERMISSIONS_PAR_ACTION = {
    MODIFIER: {"referent", "directeur"},
    OUVRIR_DOSSIER: {"referent", "directeur"},
    VALIDER_DOSSIER: {"directeur"},
    SAISIR_LITS: {"referent", "directeur", "saisie_lits"},
    PUBLIER_DOSSIER: set(),
    MODIFIER_EJ: set(),
    ADMINISTRER: set(),
}


def est_gestionnaire(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ror_est_gestionnaire", None)
    if cached is None:
        cached = user.groups.filter(name=GROUPE_GESTIONNAIRE).exists()
        user._ror_est_gestionnaire = cached
    return cached


def _droits(user) -> list[tuple[str, int, int, int]]:
    """(codename, tree_id, lft, rght) of every node the user holds a right on; cached per user object."""
    cached = getattr(user, "_ror_droits", None)
    if cached is None:
        directs = StructureUserObjectPermission.objects.filter(user=user).values_list(
            "permission__codename", "content_object__tree_id", "content_object__lft", "content_object__rght")
        groupes = StructureGroupObjectPermission.objects.filter(group__user=user).values_list(
            "permission__codename", "content_object__tree_id", "content_object__lft", "content_object__rght")
        cached = list(directs) + list(groupes)
        user._ror_droits = cached
    return cached


def oublier_droits(user) -> None:
    """Forget the cached rights after they change."""
    for attr in ("_ror_droits", "_ror_est_gestionnaire"):
        if hasattr(user, attr):
            delattr(user, attr)


def peut(user, action: str, structure: Structure) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if action == LIRE:
        return True
    if est_gestionnaire(user):
        return True
    if action == MODIFIER and structure.niveau == Niveau.EJ:
        return False  # EJ data is the gestionnaire's
    perms = PERMISSIONS_PAR_ACTION.get(action, set())
    return any(
        codename in perms and tree_id == structure.tree_id and lft <= structure.lft and structure.rght <= rght
        for codename, tree_id, lft, rght in _droits(user)
    )


def exiger(user, action: str, structure: Structure) -> Structure:
    if not peut(user, action, structure):
        raise PermissionDenied("Vous n'avez pas les droits nécessaires sur cette structure.")
    return structure


def get_structure_or_403(user, pk, action: str = LIRE, queryset=None) -> Structure:
    structure = get_object_or_404(queryset if queryset is not None else Structure.objects, pk=pk)
    return exiger(user, action, structure)


def structures_autorisees(user, action: str, queryset=None):
    """The structures the user may act on for `action` (descendants of granted nodes included)."""
    queryset = queryset if queryset is not None else Structure.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if action == LIRE or est_gestionnaire(user):
        return queryset
    perms = PERMISSIONS_PAR_ACTION.get(action, set())
    condition = Q(pk__in=[])
    for codename, tree_id, lft, rght in _droits(user):
        if codename in perms:
            condition |= Q(tree_id=tree_id, lft__gte=lft, rght__lte=rght)
    queryset = queryset.filter(condition)
    if action == MODIFIER:
        queryset = queryset.exclude(niveau=Niveau.EJ)
    return queryset


def exiger_gestionnaire(user) -> None:
    if not est_gestionnaire(user):
        raise PermissionDenied("Réservé aux gestionnaires du ROR.")


# -- Anomalies: who is told, who may treat ------------------------------------------

def destinataires_anomalie(structure: Structure):
    """Référents of the structure (rights on it or an ancestor) and every gestionnaire."""
    from django.contrib.auth import get_user_model

    ancetres = structure.get_ancestors(include_self=True).values("pk")
    droit = Q(structureuserobjectpermission__permission__codename="referent",
              structureuserobjectpermission__content_object__in=ancetres)
    return get_user_model().objects.filter(is_active=True).filter(
        droit | Q(groups__name=GROUPE_GESTIONNAIRE)).distinct()


def anomalies_a_traiter(user, queryset=None):
    """The reports a user may treat: those on structures whose operational data they may change."""
    from .models import SignalementAnomalie

    queryset = queryset if queryset is not None else SignalementAnomalie.objects.all()
    if est_gestionnaire(user):
        return queryset
    return queryset.filter(structure__in=structures_autorisees(user, MODIFIER).values("pk"))


def exiger_traitement_anomalie(user, anomalie) -> None:
    if not (est_gestionnaire(user) or peut(user, MODIFIER, anomalie.structure)):
        raise PermissionDenied("Seuls les référents de la structure et les gestionnaires traitent ce signalement.")
