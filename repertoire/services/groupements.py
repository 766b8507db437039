"""Groupings of legal entities (GHT): created in one transaction, recorded in the journal."""

from django.core.exceptions import ValidationError
from django.db import transaction

from socle.audit import Action, journaliser

from ..models import Groupement, Niveau, Structure, TypeGroupement
from ..version import changer_version_offre


@transaction.atomic
def creer_groupement(acteur, nom: str, support: Structure, membres: list[Structure],
                     type: str = TypeGroupement.GHT, departement_id: str | None = None) -> Groupement:
    """A grouping of EJ around its support EJ (a member itself)."""
    membres = list({m.pk: m for m in [support, *membres]}.values())
    if any(m.niveau != Niveau.EJ for m in membres):
        raise ValidationError("Un groupement réunit des entités juridiques.")
    if Groupement.objects.filter(type=type, nom=nom).exists():
        raise ValidationError(f"Le groupement « {nom} » existe déjà.")
    groupement = Groupement.objects.create(type=type, nom=nom, support=support,
                                           departement_id=departement_id)
    groupement.membres.set(membres)
    changer_version_offre()  # the members' fiches show their grouping
    journaliser(acteur, Action.GROUPEMENT_CREE, cible=f"groupement:{groupement.pk}",
                details={"type": type, "support": support.pk, "membres": len(membres)})
    return groupement
