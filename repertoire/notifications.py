"""E-mails of the Répertoire (anomaly reports and their replies)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse


def _lien(chemin: str) -> str:
    return getattr(settings, "ROR_URL_PUBLIQUE", "").rstrip("/") + chemin


def notifier_anomalie(anomalie, destinataires: list[str]) -> None:
    if not destinataires:
        return
    contexte = {"anomalie": anomalie, "lien": _lien(reverse("repertoire:anomalies")),
                "lien_fiche": _lien(reverse("repertoire:fiche", args=[anomalie.structure_id]))}
    send_mail(f"[ROR] Anomalie signalée sur « {anomalie.structure.nom} »",
              render_to_string("repertoire/mails/anomalie.txt", contexte),
              settings.DEFAULT_FROM_EMAIL, destinataires)


def notifier_reponse(anomalie) -> None:
    contexte = {"anomalie": anomalie, "lien_fiche": _lien(reverse("repertoire:fiche", args=[anomalie.structure_id]))}
    send_mail(f"[ROR] Votre signalement sur « {anomalie.structure.nom} » a été traité",
              render_to_string("repertoire/mails/reponse.txt", contexte),
              settings.DEFAULT_FROM_EMAIL, [anomalie.auteur.email])
