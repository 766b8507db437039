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


def compte_correspondant(claims: dict):
    """The one active account with this RPPS, else with this e-mail; None otherwise."""
    User = get_user_model()
    actifs = User.objects.filter(is_active=True)
    rpps = rpps_de(claims)
    if rpps:
        par_rpps = list(actifs.filter(rpps=rpps)[:2])
        if len(par_rpps) == 1:
            return par_rpps[0]
    email = str(claims.get("email") or "").strip()
    if email and claims.get("email_verified", True) is not False:
        par_email = list(actifs.filter(email__iexact=email)[:2])
        if len(par_email) == 1:
            return par_email[0]
    return None
