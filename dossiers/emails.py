"""E-mails to the next actor at each step of a dossier (sent once the step is committed)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from repertoire.access import GROUPE_GESTIONNAIRE
from repertoire.models import StructureGroupObjectPermission, StructureUserObjectPermission

User = get_user_model()


def titulaires(structure, codename: str):
    """Active users holding `codename` (referent, directeur) on the structure or one of its ancestors."""
    ancetres = structure.get_ancestors(include_self=True)
    directs = StructureUserObjectPermission.objects.filter(
        permission__codename=codename, content_object__in=ancetres).values("user")
    groupes = StructureGroupObjectPermission.objects.filter(
        permission__codename=codename, content_object__in=ancetres).values("group")
    return User.objects.filter(is_active=True).filter(pk__in=directs) | User.objects.filter(
        is_active=True, groups__in=groupes)


def gestionnaires():
    return User.objects.filter(is_active=True, groups__name=GROUPE_GESTIONNAIRE)


def referents(dossier):
    return titulaires(dossier.structure, "referent") | User.objects.filter(pk=dossier.ouvert_par_id)


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
