"""Pro Santé Connect: an optional second way in (OpenID Connect, via Authlib).

Configured by settings ROR_PSC_ISSUER / ROR_PSC_CLIENT_ID / ROR_PSC_CLIENT_SECRET
(discovery document at <issuer>/.well-known/openid-configuration). The identity is
matched to an EXISTING active account by RPPS or e-mail; no account is ever created here.
"""

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model

_clients: dict[tuple, object] = {}


def est_configure() -> bool:
    return bool(settings.ROR_PSC_ISSUER and settings.ROR_PSC_CLIENT_ID and settings.ROR_PSC_CLIENT_SECRET)


def client():
    """The Authlib client for the current settings (one per configuration)."""
    cle = (settings.ROR_PSC_ISSUER, settings.ROR_PSC_CLIENT_ID, settings.ROR_PSC_CLIENT_SECRET, settings.ROR_PSC_SCOPES)
    if cle not in _clients:
        oauth = OAuth()
        _clients[cle] = oauth.register(
            "psc",
            client_id=settings.ROR_PSC_CLIENT_ID,
            client_secret=settings.ROR_PSC_CLIENT_SECRET,
            server_metadata_url=settings.ROR_PSC_ISSUER.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.ROR_PSC_SCOPES, "timeout": 10},
        )
    return _clients[cle]


def rpps_de(claims: dict) -> str:
    """PSC gives the national identifier SubjectNameID: '8' + the 11-digit RPPS."""
    for cle in ("rpps", "SubjectNameID", "preferred_username"):
        valeur = str(claims.get(cle) or "").strip()
        if len(valeur) == 12 and valeur.startswith("8") and valeur.isdigit():
            return valeur[1:]
        if len(valeur) == 11 and valeur.isdigit():
            return valeur
    return ""


class IdentiteRefusee(ValueError):
    """What Pro Santé Connect returned does not prove one identity at the level asked for."""


def identite_verifiee(claims_jeton: dict, userinfo: dict) -> dict:
    """The claims of the (already signature-checked) ID token completed by userinfo.

    userinfo is a second, unsigned answer: it may only describe the same person (same `sub`).
    The authentication level asked for (ROR_PSC_ACR_VALUES, e.g. eidas1) must be the one obtained.
    """
    sujet = claims_jeton.get("sub")
    if not sujet or userinfo.get("sub") != sujet:
        raise IdentiteRefusee("userinfo ne décrit pas le sujet du jeton d'identité")
    niveaux = settings.ROR_PSC_ACR_VALUES.split()
    if niveaux and claims_jeton.get("acr") not in niveaux:
        raise IdentiteRefusee("niveau d'authentification insuffisant")
    return {**userinfo, **claims_jeton}


def _email_verifie(claims: dict) -> bool:
    # Missing means not verified: only an explicit true lets the e-mail identify someone.
    return claims.get("email_verified") is True or str(claims.get("email_verified")).lower() == "true"


def compte_correspondant(claims: dict):
    """The one active account with this RPPS; else the one with this verified e-mail, unless that
    account is another professional's (it has a different RPPS); None otherwise."""
    User = get_user_model()
    rpps = rpps_de(claims)
    if rpps:
        par_rpps = list(User.objects.filter(rpps=rpps)[:2])
        if par_rpps:  # the RPPS names its account: never another one found by e-mail
            return par_rpps[0] if len(par_rpps) == 1 and par_rpps[0].is_active else None
    email = str(claims.get("email") or "").strip()
    if not email or not _email_verifie(claims):
        return None
    par_email = list(User.objects.filter(is_active=True, email__iexact=email)[:2])
    if len(par_email) != 1:
        return None
    compte = par_email[0]
    if compte.rpps and compte.rpps != rpps:
        return None
    return compte
