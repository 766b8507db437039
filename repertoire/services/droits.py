"""Rights on a structure (and below): granted and withdrawn with an audit row."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from socle.audit import Action, journaliser

from ..access import oublier_droits
from ..models import Structure


@transaction.atomic
def accorder_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:
    """Give `utilisateur` the right `codename` (referent, directeur, saisie_lits) on a structure and below."""
    assign_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, Action.DROIT_ACCORDE, cible=f"user:{utilisateur.pk}",
                details={"droit": codename, "structure": structure.pk})


@transaction.atomic
def retirer_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:
    remove_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, Action.DROIT_RETIRE, cible=f"user:{utilisateur.pk}",
                details={"droit": codename, "structure": structure.pk})
