"""API tokens of bed-management software: hashed, shown once, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from repertoire import access as repertoire_access
from repertoire.models import Structure
from socle.audit import Action, journaliser

from ..models import JetonApi


def _empreinte(clair: str) -> str:
    return hashlib.sha256(clair.encode()).hexdigest()


@transaction.atomic
def creer_jeton(user, eg: Structure, libelle: str) -> tuple[JetonApi, str]:
    """A new token for an EG's software; the clear value is shown once, only its hash is kept."""
    repertoire_access.exiger(user, repertoire_access.ADMINISTRER)
    clair = "ror_" + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(eg=eg, libelle=libelle.strip()[:120], empreinte=_empreinte(clair),
                                    prefixe=clair[:8], cree_par=user)
    journaliser(user, Action.LITS_JETON_CREE, f"jeton:{jeton.pk}", {"eg": eg.pk})
    return jeton, clair


@transaction.atomic
def revoquer_jeton(user, jeton: JetonApi) -> JetonApi:
    repertoire_access.exiger(user, repertoire_access.ADMINISTRER)
    if jeton.revoque_le is None:
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
        journaliser(user, Action.LITS_JETON_REVOQUE, f"jeton:{jeton.pk}", {"eg": jeton.eg_id})
    return jeton


def authentifier_jeton(clair: str) -> JetonApi | None:
    if not clair:
        return None
    return JetonApi.objects.filter(empreinte=_empreinte(clair), revoque_le__isnull=True).select_related(
        "eg").first()
