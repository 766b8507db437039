"""E-mails of the Répertoire (anomaly reports and their replies)."""

import logging

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from socle.validateurs import une_ligne

logger = logging.getLogger(__name__)


def _envoyer(sujet: str, corps: str, destinataires: list[str]) -> None:
    """Sent after the report is saved: a mail that cannot leave is logged, the page still answers."""
    try:
        send_mail(une_ligne(sujet), corps, settings.DEFAULT_FROM_EMAIL, destinataires)
    except (BadHeaderError, ValueError, OSError):
        logger.exception("Courriel de signalement non envoyé")


def _lien(chemin: str) -> str:
    return getattr(settings, "ROR_URL_PUBLIQUE", "").rstrip("/") + chemin


def notifier_anomalie(anomalie, destinataires: list[str]) -> None:
    if not destinataires:
        return
    contexte = {"anomalie": anomalie, "lien": _lien(reverse("repertoire:anomalies")),
                "lien_fiche": _lien(reverse("repertoire:fiche", args=[anomalie.structure_id]))}
    _envoyer(f"[ROR] Anomalie signalée sur « {anomalie.structure.nom} »",
             render_to_string("repertoire/mails/anomalie.txt", contexte), destinataires)


def notifier_reponse(anomalie) -> None:
    contexte = {"anomalie": anomalie, "lien_fiche": _lien(reverse("repertoire:fiche", args=[anomalie.structure_id]))}
    _envoyer(f"[ROR] Votre signalement sur « {anomalie.structure.nom} » a été traité",
             render_to_string("repertoire/mails/reponse.txt", contexte), [anomalie.auteur.email])
