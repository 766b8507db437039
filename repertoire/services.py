"""Every write to the offer goes through a function here: one per user action,
inside a transaction, recording who did it (history user + reason)."""

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from ror.audit import journaliser

from .access import oublier_droits
from .models import Structure


def enregistrer(structure: Structure, user, raison: str, m2m: dict | None = None) -> Structure:
    """Save a structure and its many-to-many values as ONE history record.

    `m2m` maps a many-to-many field name to its new list of values. The version
    is bumped so that concurrent editors can detect a change (no lost update).
    """
    structure._history_user = user
    structure._change_reason = raison
    structure.modifie_le = timezone.now()
    if structure.pk:
        structure.version = (structure.version or 0) + 1
    if m2m:
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
    return structure


@transaction.atomic
def creer_structure(user, niveau: str, parent: Structure | None, *, raison: str = "Création",
                    m2m: dict | None = None, **champs) -> Structure:
    structure = Structure(niveau=niveau, parent=parent, **champs)
    structure.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(structure, user, raison, m2m)


@transaction.atomic
def accorder_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:
    """Give `utilisateur` the right `codename` (referent, directeur, saisie_lits) on a structure and below."""

    assign_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, "droit_accorde", cible=str(utilisateur.pk),
                details={"droit": codename, "structure": structure.pk})


@transaction.atomic
def retirer_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:

    remove_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, "droit_retire", cible=str(utilisateur.pk),
                details={"droit": codename, "structure": structure.pk})
