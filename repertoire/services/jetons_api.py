"""API tokens, one service for every API: created by a gestionnaire (shown once, only a hash
kept), revoked, and checked on each call against one scope (`fhir` or `lits`)."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from socle.audit import Action, journaliser

from ..access import ADMINISTRER, exiger
from ..models import JetonApi, Niveau, PorteeJeton, Structure

PREFIXE = "ror_"
# Last use is written at most once a minute per token, not on every request.
PRECISION_UTILISATION = timedelta(minutes=1)


def empreinte(clair: str) -> str:
    return hashlib.sha256(clair.encode()).hexdigest()


def lire_bearer(entete: str | None) -> str:
    """The token an `Authorization: Bearer <jeton>` header carries ("" if none)."""
    schema, _, valeur = (entete or "").strip().partition(" ")
    return valeur.strip() if schema.lower() == "bearer" else ""


@transaction.atomic
def creer_jeton(acteur, portee: str, libelle: str, *, eg: Structure | None = None) -> tuple[JetonApi, str]:
    """A new token; returns (record, clear token to show once). A `lits` token names its EG."""
    exiger(acteur, ADMINISTRER)
    libelle = (libelle or "").strip()
    if not libelle:
        raise ValidationError("Indiquez le nom du service consommateur.")
    if portee not in PorteeJeton.values:
        raise ValidationError(f"Portée inconnue : {portee}")
    if portee == PorteeJeton.LITS and (eg is None or eg.niveau != Niveau.EG):
        raise ValidationError("Un jeton des lits vise un établissement (EG).")
    clair = PREFIXE + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(portee=portee, eg=eg, libelle=libelle[:120], prefixe=clair[:12],
                                    empreinte=empreinte(clair), cree_par=acteur)
    journaliser(acteur, Action.JETON_API_CREE, cible=f"jeton:{jeton.pk}",
                details={"portee": portee, "eg": getattr(eg, "pk", None)})
    return jeton, clair


@transaction.atomic
def revoquer_jeton(acteur, jeton: JetonApi) -> JetonApi:
    exiger(acteur, ADMINISTRER)
    if jeton.revoque_le is None:
        jeton.revoque_le, jeton.revoque_par = timezone.now(), acteur
        jeton.save(update_fields=["revoque_le", "revoque_par"])
        journaliser(acteur, Action.JETON_API_REVOQUE, cible=f"jeton:{jeton.pk}",
                    details={"portee": jeton.portee, "eg": jeton.eg_id})
    return jeton


def authentifier(entete: str | None, portee: str) -> JetonApi | None:
    """The active token of this scope an Authorization header carries, its use recorded; else None."""
    clair = lire_bearer(entete)
    if not clair:
        return None
    jeton = (JetonApi.objects.filter(empreinte=empreinte(clair), portee=portee, revoque_le__isnull=True)
             .select_related("eg").first())
    if jeton is not None:
        maintenant = timezone.now()
        if jeton.utilise_le is None or maintenant - jeton.utilise_le > PRECISION_UTILISATION:
            JetonApi.objects.filter(pk=jeton.pk).update(utilise_le=maintenant)
            jeton.utilise_le = maintenant
    return jeton
