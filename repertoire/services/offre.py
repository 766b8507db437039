"""Structure writes: create, change, move, close, delete, one history record each.

Every change bumps the fiche's version so that concurrent editors detect it (no lost
update): `ConflitDeVersion` tells what the others changed. Once the transaction commits,
the apps above (search index…) are told which structures changed (signal `offre_modifiee`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nomenclatures.models import verifier_jeu

from .. import schema
from ..models import PARENTS_AUTORISES, Niveau, Structure
from ..signals import offre_modifiee

# Fields that are never written through the generic functions below.
CHAMPS_TECHNIQUES = schema.TECHNIQUES


def annoncer(structure_ids) -> None:
    """Send `offre_modifiee` with these structures once the current transaction commits."""
    ids = sorted(set(structure_ids))
    transaction.on_commit(lambda: offre_modifiee.send(sender=Structure, structure_ids=ids))


class ConflitDeVersion(Exception):
    """Someone else saved the fiche since it was read: nothing was written."""

    def __init__(self, structure: Structure, version_lue: int, changements: list[dict]):
        self.structure = structure
        self.version_lue = version_lue
        self.changements = changements  # [{"champ", "libelle", "avant", "apres", "par", "le"}]
        super().__init__(f"La fiche « {structure.nom} » a été modifiée entre-temps.")


def verifier_m2m(m2m: dict) -> None:
    """Refuse (ValidationError) values outside the value set of each many-to-many field."""
    for nom, valeurs in m2m.items():
        jeu = getattr(Structure._meta.get_field(nom), "jeu", None)
        if jeu:
            verifier_jeu(valeurs, jeu)


def enregistrer(structure: Structure, user, raison: str, m2m: dict | None = None) -> Structure:
    """Save a structure and its many-to-many values as ONE history record.

    `m2m` maps a many-to-many field name to its new list of values. The version
    is bumped so that concurrent editors can detect a change (no lost update).
    Call it inside a transaction (the public functions below do).
    """
    structure._history_user = user
    structure._change_reason = raison
    structure.modifie_le = timezone.now()
    if structure.pk:
        structure.version = (structure.version or 0) + 1
    if m2m:
        verifier_m2m(m2m)
        if not structure.pk:
            structure.skip_history_when_saving = True
            structure.save()
        structure.skip_history_when_saving = True
        try:
            for field, values in m2m.items():
                getattr(structure, field).set(values)
        finally:
            del structure.skip_history_when_saving
    structure.save()
    annoncer([structure.pk])
    return structure


def changements_depuis(structure: Structure, version_lue: int) -> list[dict]:
    """What others changed on this fiche since `version_lue` (from its history)."""
    historiques = list(structure.history.filter(version__gte=version_lue).order_by("history_date"))
    changements = []
    for precedent, suivant in zip(historiques, historiques[1:]):
        for change in suivant.diff_against(precedent).changes:
            if change.field in {"version", "modifie_le"}:
                continue
            champ = Structure._meta.get_field(change.field)
            changements.append({
                "champ": change.field, "libelle": str(champ.verbose_name), "avant": change.old, "apres": change.new,
                "par": suivant.history_user, "le": suivant.history_date,
            })
    return changements


def verrouiller(structure: Structure, version_attendue: int | None) -> Structure:
    """Lock the row; refuse if its version moved since the user read it."""
    actuelle = Structure.objects.select_for_update().get(pk=structure.pk)
    if version_attendue is not None and actuelle.version != version_attendue:
        raise ConflitDeVersion(actuelle, version_attendue, changements_depuis(actuelle, version_attendue))
    return actuelle


@transaction.atomic
def creer_structure(user, niveau: str, parent: Structure | None, *, raison: str = "Création",
                    m2m: dict | None = None, **champs) -> Structure:
    structure = Structure(niveau=niveau, parent=parent, **champs)
    structure.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(structure, user, raison, m2m)


@transaction.atomic
def modifier_structure(user, structure: Structure, champs: dict, *, m2m: dict | None = None, raison: str,
                       version_attendue: int | None = None) -> Structure:
    """Change fields (and many-to-many values) of one fiche, as one history record.

    With `version_attendue`, raises ConflitDeVersion if the fiche changed since it was read.
    Raises ValidationError (nothing written) on invalid values. Access rights are the
    caller's business (repertoire.access).
    """
    interdits = set(champs) & CHAMPS_TECHNIQUES
    if interdits:
        raise ValueError(f"Champs non modifiables ici : {sorted(interdits)}")
    actuelle = verrouiller(structure, version_attendue)
    for nom, valeur in champs.items():
        setattr(actuelle, nom, valeur)
    actuelle.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(actuelle, user, raison, m2m)


@transaction.atomic
def deplacer_structure(user, structure: Structure, nouveau_parent: Structure, *, raison: str) -> Structure:
    """Move a fiche (and its subtree) under another parent of the same EJ."""
    actuelle = verrouiller(structure, None)
    if nouveau_parent.niveau not in PARENTS_AUTORISES[actuelle.niveau]:
        raise ValidationError("Ce niveau ne peut pas être placé sous ce parent.")
    ej_cible = nouveau_parent if nouveau_parent.niveau == Niveau.EJ else nouveau_parent.ej
    if actuelle.niveau != Niveau.EG and ej_cible.pk != actuelle.ej_id:
        raise ValidationError("Une unité ne peut être déplacée que dans la même entité juridique.")
    if nouveau_parent.is_descendant_of(actuelle, include_self=True):
        raise ValidationError("Une structure ne peut pas être placée sous elle-même.")
    actuelle.move_to(nouveau_parent, "last-child")
    actuelle.refresh_from_db()
    actuelle.parent = nouveau_parent
    enregistrer(actuelle, user, raison)
    # The denormalised ancestors of the subtree follow.
    descendants = list(actuelle.get_descendants())
    for descendant in descendants:
        descendant._set_ancetres()
        Structure.objects.filter(pk=descendant.pk).update(ej=descendant.ej_id, eg=descendant.eg_id)
    annoncer(d.pk for d in descendants)
    return actuelle


@transaction.atomic
def supprimer_structure(user, structure: Structure, *, raison: str) -> None:
    """Remove a fiche that has no children; its history keeps it."""
    actuelle = verrouiller(structure, None)
    if actuelle.get_children().exists():
        raise ValidationError("Supprimez ou déplacez d'abord les unités rattachées.")
    actuelle._history_user = user
    actuelle._change_reason = raison
    pk = actuelle.pk
    actuelle.delete()
    annoncer([pk])


@transaction.atomic
def fermer_structure(user, structure: Structure, *, raison: str, date=None) -> Structure:
    return modifier_structure(user, structure, {"etat": "ferme", "date_fermeture": date or timezone.localdate()},
                              raison=raison)


@transaction.atomic
def rouvrir_structure(user, structure: Structure, *, raison: str) -> Structure:
    return modifier_structure(user, structure, {"etat": "ouvert", "date_fermeture": None}, raison=raison)



@transaction.atomic
def marquer_statut_fiche(structures, statut: str) -> int:
    """Set the Répertoire pictogram of fiches (a dossier collaboratif works on them).

    A pictogram is not offer data: no history record and no version bump, so an
    operational edit made meanwhile is not taken for a conflict.
    """
    ids = [s.pk if isinstance(s, Structure) else s for s in structures]
    return Structure.objects.filter(pk__in=ids).update(statut_fiche=statut)
