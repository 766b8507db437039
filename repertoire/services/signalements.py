"""Errors a reader reports on a fiche; its référents and the gestionnaires treat them (with e-mail)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from socle.audit import Action, journaliser

from ..access import LIRE, MODIFIER, destinataires_anomalie, exiger
from ..models import SignalementAnomalie, Structure
from ..notifications import notifier_anomalie, notifier_reponse


@transaction.atomic
def signaler_anomalie(user, structure: Structure, description: str) -> SignalementAnomalie:
    """Any reader reports an error on a fiche; its référents and the gestionnaires are told by e-mail."""
    exiger(user, LIRE, structure)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Décrivez ce qui est erroné."})
    anomalie = SignalementAnomalie.objects.create(structure=structure, auteur=user, description=description)
    destinataires = [u.email for u in destinataires_anomalie(structure) if u.email]
    transaction.on_commit(lambda: notifier_anomalie(anomalie, destinataires))
    journaliser(user, Action.ANOMALIE_SIGNALEE, cible=f"structure:{structure.pk}", details={"anomalie": anomalie.pk})
    return anomalie


@transaction.atomic
def traiter_anomalie(user, anomalie: SignalementAnomalie, reponse: str) -> SignalementAnomalie:
    """A référent of the structure (or a gestionnaire) marks a report treated, with a reply to its author."""
    anomalie = SignalementAnomalie.objects.select_for_update().get(pk=anomalie.pk)
    exiger(user, MODIFIER, anomalie.structure)
    reponse = (reponse or "").strip()
    if not reponse:
        raise ValidationError({"reponse": "Rédigez une réponse pour l'auteur du signalement."})
    anomalie.reponse, anomalie.traitee_le, anomalie.traitee_par = reponse, timezone.now(), user
    anomalie.save()
    if anomalie.auteur and anomalie.auteur.email:
        transaction.on_commit(lambda: notifier_reponse(anomalie))
    journaliser(user, Action.ANOMALIE_TRAITEE, cible=f"structure:{anomalie.structure_id}", details={"anomalie": anomalie.pk})
    return anomalie
