"""E-mails to the next actor at each step of a dossier (sent once the step is committed)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from repertoire import access

User = get_user_model()


def referents(dossier):
    return access.titulaires(dossier.structure, access.REFERENT) | User.objects.filter(pk=dossier.ouvert_par_id)


def notifier(dossier, destinataires, sujet: str, message: str, acteur=None) -> None:
    """Mail `destinataires` about the dossier once the current transaction commits."""
    adresses = sorted({u.email for u in destinataires.distinct() if u.email and u != acteur})
    if not adresses:
        return
    corps = render_to_string("dossiers/email.txt", {
        "dossier": dossier, "message": message, "acteur": acteur, "ROR_SITE_TITLE": settings.ROR_SITE_TITLE,
        "url": settings.ROR_URL_PORTAIL.rstrip("/") + reverse("dossiers:detail", args=[dossier.pk]),
    })
    objet = f"[{settings.ROR_SITE_TITLE}] {dossier.reference} – {sujet}"
    transaction.on_commit(lambda: send_mail(objet, corps, None, adresses, fail_silently=True))
