"""API tokens, one service for every API: created by a gestionnaire (shown once, only a hash
kept), with an expiry date and (FHIR) an ANS access profile, revoked, and checked on each call
against one scope (`fhir` or `lits`); the gestionnaires are reminded before a token expires."""

import hashlib
import secrets
import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from socle.audit import Action, journaliser

from ..access import ADMINISTRER, exiger, gestionnaires
from ..models import JetonApi, Niveau, PorteeJeton, ProfilAcces, Structure

logger = logging.getLogger(__name__)

PREFIXE = "ror_"
# Last use is written at most once a minute per token, not on every request.
PRECISION_UTILISATION = timedelta(minutes=1)
# The longest life a gestionnaire may give a token.
DUREE_MAX = timedelta(days=3 * 365)


def empreinte(clair: str) -> str:
    return hashlib.sha256(clair.encode()).hexdigest()


def lire_bearer(entete: str | None) -> str:
    """The token an `Authorization: Bearer <jeton>` header carries ("" if none)."""
    schema, _, valeur = (entete or "").strip().partition(" ")
    return valeur.strip() if schema.lower() == "bearer" else ""


def _expiration(valeur) -> datetime:
    """A date (end of that day, local time) or a datetime → the expiry; refused if past or too far."""
    if not isinstance(valeur, datetime):
        valeur = timezone.make_aware(datetime.combine(valeur, time(23, 59, 59)))
    maintenant = timezone.now()
    if valeur <= maintenant:
        raise ValidationError("La date d'expiration doit être dans le futur.")
    if valeur > maintenant + DUREE_MAX:
        raise ValidationError("Un jeton vaut au plus trois ans : choisissez une date plus proche.")
    return valeur


def _profil(valeur) -> int:
    try:
        profil = int(valeur)
    except (TypeError, ValueError):
        profil = -1
    if profil not in ProfilAcces.values:
        raise ValidationError("Profil d'accès inconnu : choisissez un profil de 0 à 5.")
    return profil


@transaction.atomic
def creer_jeton(acteur, portee: str, libelle: str, *, eg: Structure | None = None, expire_le=None,
                profil_acces=None) -> tuple[JetonApi, str]:
    """A new token; returns (record, clear token to show once). A `lits` token names its EG.
    Without a date it lasts ROR_JETON_DUREE_JOURS; without a profile, 2 (no sensitive unit)."""
    exiger(acteur, ADMINISTRER)
    libelle = (libelle or "").strip()
    if not libelle:
        raise ValidationError("Indiquez le nom du service consommateur.")
    if portee not in PorteeJeton.values:
        raise ValidationError(f"Portée inconnue : {portee}")
    if portee == PorteeJeton.LITS and (eg is None or eg.niveau != Niveau.EG):
        raise ValidationError("Un jeton des lits vise un établissement (EG).")
    champs = {}
    if expire_le is not None:
        champs["expire_le"] = _expiration(expire_le)
    if profil_acces is not None:
        champs["profil_acces"] = _profil(profil_acces)
    clair = PREFIXE + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(portee=portee, eg=eg, libelle=libelle[:120], prefixe=clair[:12],
                                    empreinte=empreinte(clair), cree_par=acteur, **champs)
    journaliser(acteur, Action.JETON_API_CREE, cible=f"jeton:{jeton.pk}",
                details={"portee": portee, "eg": getattr(eg, "pk", None), "profil": jeton.profil_acces,
                         "expire_le": jeton.expire_le.isoformat()})
    return jeton, clair


@transaction.atomic
def modifier_jeton(acteur, jeton: JetonApi, *, expire_le=None, profil_acces=None) -> JetonApi:
    """A new expiry (reminders start again) and/or access profile; a revoked token stays revoked."""
    exiger(acteur, ADMINISTRER)
    if jeton.revoque_le is not None:
        raise ValidationError("Ce jeton est révoqué : créez-en un nouveau.")
    avant = {"expire_le": jeton.expire_le.isoformat(), "profil": jeton.profil_acces}
    champs = []
    if expire_le is not None:
        jeton.expire_le, jeton.rappel_jours = _expiration(expire_le), None
        champs += ["expire_le", "rappel_jours"]
    if profil_acces is not None:
        jeton.profil_acces = _profil(profil_acces)
        champs.append("profil_acces")
    if champs:
        jeton.save(update_fields=champs)
        journaliser(acteur, Action.JETON_API_MODIFIE, cible=f"jeton:{jeton.pk}", details={
            "avant": avant, "apres": {"expire_le": jeton.expire_le.isoformat(), "profil": jeton.profil_acces}})
    return jeton


@transaction.atomic
def revoquer_jeton(acteur, jeton: JetonApi) -> JetonApi:
    exiger(acteur, ADMINISTRER)
    if jeton.revoque_le is None:
        jeton.revoque_le, jeton.revoque_par = timezone.now(), acteur
        jeton.save(update_fields=["revoque_le", "revoque_par"])
        journaliser(acteur, Action.JETON_API_REVOQUE, cible=f"jeton:{jeton.pk}",
                    details={"portee": jeton.portee, "eg": jeton.eg_id})
    return jeton


def verifier(entete: str | None, portee: str) -> tuple[JetonApi | None, str]:
    """(the active token of this scope an Authorization header carries, its use recorded; "") or
    (None, why it is refused, in French for the consumer)."""
    clair = lire_bearer(entete)
    if not clair:
        return None, "Jeton d'accès manquant (en-tête Authorization: Bearer <jeton>)."
    jeton = (JetonApi.objects.filter(empreinte=empreinte(clair), portee=portee, revoque_le__isnull=True)
             .select_related("eg").first())
    if jeton is None:
        return None, "Jeton d'accès inconnu ou révoqué."
    maintenant = timezone.now()
    if jeton.expire_le <= maintenant:
        return None, (f"Jeton d'accès expiré le {timezone.localtime(jeton.expire_le):%d/%m/%Y} : demandez au "
                      "gestionnaire du ROR de le prolonger ou d'en créer un nouveau.")
    if jeton.utilise_le is None or maintenant - jeton.utilise_le > PRECISION_UTILISATION:
        JetonApi.objects.filter(pk=jeton.pk).update(utilise_le=maintenant)
        jeton.utilise_le = maintenant
    return jeton, ""


def authentifier(entete: str | None, portee: str) -> JetonApi | None:
    """The active (not revoked, not expired) token of this scope, else None."""
    return verifier(entete, portee)[0]


def rappeler_expirations(maintenant: datetime | None = None) -> int:
    """Mail the gestionnaires about each active token that expires within one of the
    ROR_JETON_RAPPELS_JOURS (30, then 7 days): once per threshold. Returns the mails sent."""
    maintenant = maintenant or timezone.now()
    seuils = sorted(settings.ROR_JETON_RAPPELS_JOURS)
    adresses = sorted({u.email for u in gestionnaires() if u.email})
    envoyes = 0
    candidats = (JetonApi.objects.filter(revoque_le__isnull=True, expire_le__gt=maintenant,
                                         expire_le__lte=maintenant + timedelta(days=seuils[-1]))
                 .select_related("eg").order_by("expire_le"))
    for jeton in candidats:
        restant = jeton.expire_le - maintenant
        seuil = next(s for s in seuils if restant <= timedelta(days=s))
        if jeton.rappel_jours is not None and jeton.rappel_jours <= seuil:
            continue  # this threshold (or a nearer one) was already announced
        quoi = ("l'API FHIR" if jeton.portee == PorteeJeton.FHIR
                else f"l'envoi des lits de « {jeton.eg.nom if jeton.eg_id else '?'} »")
        corps = (f"Le jeton d'accès de « {jeton.libelle} » ({jeton.prefixe}…) à {quoi} expire le "
                 f"{timezone.localtime(jeton.expire_le):%d/%m/%Y à %H:%M}, dans {max(restant.days, 0)} jour(s).\n\n"
                 "Après cette date, le logiciel consommateur sera refusé (401). Pour l'éviter, prolongez le jeton "
                 "depuis la page des jetons du portail, ou créez-en un nouveau et transmettez-le.\n\n"
                 f"{settings.ROR_URL_PORTAIL.rstrip('/')}/")
        try:
            if adresses:
                send_mail(f"[{settings.ROR_SITE_TITLE}] Jeton d'API « {jeton.libelle} » : expiration le "
                          f"{timezone.localtime(jeton.expire_le):%d/%m/%Y}", corps, None, adresses)
                envoyes += 1
        except Exception:  # one failed mail must not stop the others: retried at the next run
            logger.exception("Rappel d'expiration du jeton %s non envoyé", jeton.pk)
            continue
        JetonApi.objects.filter(pk=jeton.pk).update(rappel_jours=seuil)
    return envoyes
