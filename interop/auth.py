"""API tokens: how a FHIR consumer proves who it is (Authorization: Bearer <jeton>)."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from socle.audit import Action, journaliser

from .models import JetonApi, empreinte

PREFIXE = "ror_"


def jeton_de_la_requete(request) -> JetonApi | None:
    """The active token the request carries, or None."""
    entete = request.headers.get("Authorization", "")
    schema, _, valeur = entete.partition(" ")
    if schema.lower() != "bearer" or not valeur.strip():
        return None
    jeton = JetonApi.objects.filter(empreinte=empreinte(valeur.strip()), revoque_le__isnull=True).first()
    if jeton is not None:
        maintenant = timezone.now()
        # One write a minute at most per consumer, not one per request.
        if jeton.derniere_utilisation is None or maintenant - jeton.derniere_utilisation > timedelta(minutes=1):
            JetonApi.objects.filter(pk=jeton.pk).update(derniere_utilisation=maintenant)
    return jeton


@transaction.atomic
def creer_jeton(acteur, consommateur: str) -> tuple[JetonApi, str]:
    """Create a token for a consumer; returns (record, clear token shown once)."""
    consommateur = consommateur.strip()
    if not consommateur:
        raise ValueError("Indiquez le nom du service consommateur.")
    clair = PREFIXE + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(consommateur=consommateur[:120], prefixe=clair[:12], empreinte=empreinte(clair),
                                    cree_par=acteur)
    journaliser(acteur, Action.JETON_API_CREE, cible=f"jeton:{jeton.pk}", details={"consommateur": jeton.consommateur})
    return jeton, clair


@transaction.atomic
def revoquer_jeton(acteur, jeton: JetonApi) -> JetonApi:
    if jeton.revoque_le is None:
        jeton.revoque_le = timezone.now()
        jeton.revoque_par = acteur
        jeton.save(update_fields=["revoque_le", "revoque_par"])
        journaliser(acteur, Action.JETON_API_REVOQUE, cible=f"jeton:{jeton.pk}",
                    details={"consommateur": jeton.consommateur})
    return jeton
