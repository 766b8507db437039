"""Who may do what on which structure, and who holds which right: the one reader of rights.

Rights are granted on an EJ or an EG (django-guardian object permissions, the *droits*
REFERENT, DIRECTEUR, SAISIE_LITS), to a user or to one of its groups, and hold for
everything below that node. Gestionnaires ROR may every *action*. Deny by default.

A *droit* is held (never implied by being gestionnaire); an *action* is what a user may
do. Functions taking `droit` accept either: an action stands for the droits that allow it.

No other module reads guardian's tables (tests/test_lecteur_unique_des_droits.py); the
grants themselves are written by repertoire.services.droits (accorder_droit / retirer_droit).
Helpers are named one way (as Read the Docs' core/permissions.py):
- get_<objet>_or_403(user, pk, action): the object the user may act on, else 404/403;
- <objets>_autorises(user, action): the queryset of what the user may act on;
- peut / exiger(user, action, objet=None): the answer, or PermissionDenied (services);
- titulaires(structure, droit): the active users holding a droit on a structure or above.
"""

from collections import defaultdict
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import (Niveau, PieceJointe, SignalementAnomalie, Structure, StructureGroupObjectPermission,
                     StructureUserObjectPermission)

GROUPE_CONSULTANT = "Consultant"
GROUPE_REFERENT = "Référent structure"
GROUPE_DIRECTEUR = "Directeur"
GROUPE_GESTIONNAIRE = "Gestionnaire ROR"
GROUPES = [GROUPE_CONSULTANT, GROUPE_REFERENT, GROUPE_DIRECTEUR, GROUPE_GESTIONNAIRE]

# Droits: the per-structure permissions (Structure.Meta.permissions).
REFERENT = "referent"
DIRECTEUR = "directeur"
SAISIE_LITS = "saisie_lits"
DROITS = (REFERENT, DIRECTEUR, SAISIE_LITS)

# Actions.
LIRE = "lire"
MODIFIER = "modifier"  # operational data, one encadré at a time
OUVRIR_DOSSIER = "ouvrir_dossier"
VALIDER_DOSSIER = "valider_dossier"
PUBLIER_DOSSIER = "publier_dossier"
MODIFIER_EJ = "modifier_ej"
SAISIR_LITS = "saisir_lits"
ADMINISTRER = "administrer"  # imports, synchronisation, quality, habilitations, tensions

# Which droits allow which action (gestionnaires may them all).
PERMISSIONS_PAR_ACTION = {
    MODIFIER: {REFERENT, DIRECTEUR},
    OUVRIR_DOSSIER: {REFERENT, DIRECTEUR},
    VALIDER_DOSSIER: {DIRECTEUR},
    SAISIR_LITS: {REFERENT, DIRECTEUR, SAISIE_LITS},
    PUBLIER_DOSSIER: set(),
    MODIFIER_EJ: set(),
    ADMINISTRER: set(),
}

REFUS = {
    ADMINISTRER: "Réservé aux gestionnaires du ROR.",
    SAISIR_LITS: "La saisie des lits est réservée aux responsables des unités.",
    OUVRIR_DOSSIER: "Les dossiers collaboratifs sont réservés aux référents, directeurs et gestionnaires.",
}


def _actif(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _est_action(droit: str) -> bool:
    return droit not in DROITS


def _codenames(droit: str) -> set[str]:
    return PERMISSIONS_PAR_ACTION.get(droit, set()) if _est_action(droit) else {droit}


def est_gestionnaire(user) -> bool:
    if not _actif(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ror_est_gestionnaire", None)
    if cached is None:
        cached = user.groups.filter(name=GROUPE_GESTIONNAIRE).exists()
        user._ror_est_gestionnaire = cached
    return cached


def _droits(user) -> list[tuple[str, int, int, int]]:
    """(codename, tree_id, lft, rght) of every node the user holds a droit on, directly or
    through a group; cached per user object."""
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


def peut(user, droit: str, structure: Structure | None = None) -> bool:
    """May the user do `droit` on the structure (without one: somewhere in the region)?"""
    if not _actif(user):
        return False
    if _est_action(droit):
        if droit == LIRE or est_gestionnaire(user):
            return True
        if droit == MODIFIER and structure is not None and structure.niveau == Niveau.EJ:
            return False  # EJ data is the gestionnaire's
    codenames = _codenames(droit)
    return any(
        codename in codenames and (structure is None or (
            tree_id == structure.tree_id and lft <= structure.lft and structure.rght <= rght))
        for codename, tree_id, lft, rght in _droits(user)
    )


def exiger(user, droit: str, structure: Structure | None = None) -> Structure | None:
    if not peut(user, droit, structure):
        raise PermissionDenied(REFUS.get(droit, "Vous n'avez pas les droits nécessaires sur cette structure."))
    return structure


def gestionnaire_requis(vue):
    """A view for gestionnaires: anonymous → login page; logged in but not gestionnaire → 403."""
    @login_required
    @wraps(vue)
    def enveloppe(request, *args, **kwargs):
        exiger(request.user, ADMINISTRER)
        return vue(request, *args, **kwargs)

    return enveloppe


def get_structure_or_403(user, pk, action: str = LIRE, queryset=None) -> Structure:
    structure = get_object_or_404(queryset if queryset is not None else Structure.objects, pk=pk)
    return exiger(user, action, structure)


def structures_autorisees(user, droit: str, queryset=None):
    """The structures the user may act on for an action, or holds a droit on (descendants included)."""
    queryset = queryset if queryset is not None else Structure.objects.all()
    if not _actif(user):
        return queryset.none()
    if _est_action(droit) and (droit == LIRE or est_gestionnaire(user)):
        return queryset
    codenames = _codenames(droit)
    condition = Q(pk__in=[])
    for codename, tree_id, lft, rght in _droits(user):
        if codename in codenames:
            condition |= Q(tree_id=tree_id, lft__gte=lft, rght__lte=rght)
    queryset = queryset.filter(condition)
    if droit == MODIFIER:
        queryset = queryset.exclude(niveau=Niveau.EJ)
    return queryset


def sur_structures_autorisees(user, droit: str, queryset, champ: str = "structure"):
    """The rows of `queryset` whose structure (`champ`) the user may act on, or holds `droit` on."""
    if _actif(user) and _est_action(droit) and (droit == LIRE or est_gestionnaire(user)):
        return queryset  # everything: no subquery
    return queryset.filter(**{f"{champ}__in": structures_autorisees(user, droit).values("pk")})


def titulaires(structure: Structure | None, *droits: str):
    """Active users holding one of `droits` on the structure or an ancestor, directly or
    through a group (structure None: anywhere). Gestionnaires are not titulaires as such."""
    codenames = set().union(*(_codenames(d) for d in droits))
    sur = Q(permission__codename__in=codenames)
    if structure is not None:
        sur &= Q(content_object__tree_id=structure.tree_id, content_object__lft__lte=structure.lft,
                 content_object__rght__gte=structure.rght)
    User = get_user_model()
    directs = StructureUserObjectPermission.objects.filter(sur).values("user_id")
    groupes = StructureGroupObjectPermission.objects.filter(sur).values("group_id")
    membres = User.groups.through.objects.filter(group_id__in=groupes).values("user_id")
    # pk__in subqueries, not joins: no duplicates, so callers may combine the result with `|`.
    return User.objects.filter(is_active=True).filter(Q(pk__in=directs) | Q(pk__in=membres))


def titulaires_par_structure(structures, *droits: str) -> dict[int, set[int]]:
    """{structure pk: ids of the active users holding one of `droits` on it or an ancestor},
    for many structures in a few queries (titulaires() answers for one)."""
    codenames = set().union(*(_codenames(d) for d in droits))
    User = get_user_model()
    actifs = User.objects.filter(is_active=True)
    octrois = defaultdict(list)  # tree_id: [(user_id, lft, rght)]
    for user_id, tree_id, lft, rght in StructureUserObjectPermission.objects.filter(
            permission__codename__in=codenames, user__in=actifs).values_list(
            "user_id", "content_object__tree_id", "content_object__lft", "content_object__rght"):
        octrois[tree_id].append((user_id, lft, rght))
    par_groupe = StructureGroupObjectPermission.objects.filter(permission__codename__in=codenames).values_list(
        "group_id", "content_object__tree_id", "content_object__lft", "content_object__rght")
    if par_groupe:
        membres = defaultdict(list)
        for user_id, group_id in User.groups.through.objects.filter(user__in=actifs).values_list(
                "user_id", "group_id"):
            membres[group_id].append(user_id)
        for group_id, tree_id, lft, rght in par_groupe:
            octrois[tree_id] += [(user_id, lft, rght) for user_id in membres[group_id]]
    return {pk: {user_id for user_id, l, r in octrois.get(tree_id, ()) if l <= lft and rght <= r}
            for pk, tree_id, lft, rght in structures.values_list("pk", "tree_id", "lft", "rght")}


def gestionnaires():
    """Active gestionnaires ROR (composable with titulaires() through `|`)."""
    User = get_user_model()
    membres = User.groups.through.objects.filter(group__name=GROUPE_GESTIONNAIRE).values("user_id")
    return User.objects.filter(is_active=True, pk__in=membres)


def droits_accordes(user=None, structure: Structure | None = None, droit: str | None = None):
    """The grants made to users by name (what accorder_droit writes and retirer_droit removes)."""
    accords = StructureUserObjectPermission.objects.select_related("content_object", "permission", "user")
    if user is not None:
        accords = accords.filter(user=user)
    if structure is not None:
        accords = accords.filter(content_object=structure)
    if droit is not None:
        accords = accords.filter(permission__codename=droit)
    return accords.order_by("content_object__nom")


# -- Anomalies: who is told, who may treat ------------------------------------------

def destinataires_anomalie(structure: Structure):
    """Référents of the structure (rights on it or an ancestor) and every gestionnaire."""
    return titulaires(structure, REFERENT) | gestionnaires()


def anomalies_autorisees(user, action: str = MODIFIER, queryset=None):
    """The reports a user may treat: those on structures whose operational data they may change."""
    return sur_structures_autorisees(user, action, queryset if queryset is not None
                                     else SignalementAnomalie.objects.all())


def get_anomalie_or_403(user, pk, action: str = MODIFIER, queryset=None) -> SignalementAnomalie:
    anomalie = get_object_or_404(queryset if queryset is not None else SignalementAnomalie.objects, pk=pk)
    exiger(user, action, anomalie.structure)
    return anomalie


# -- Uploaded files: readable by whoever may read their fiche ----------------------------------

def photo_lisible(user, nom: str) -> bool:
    structure = Structure.objects.filter(photo=nom).first()
    return structure is not None and peut(user, LIRE, structure)


def piece_jointe_lisible(user, nom: str) -> bool:
    piece = PieceJointe.objects.select_related("structure").filter(fichier=nom).first()
    return piece is not None and peut(user, LIRE, piece.structure)
