"""Logins, failed logins and lockouts go to the audit log, by account id (never the typed name)."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from socle.audit import Action, journaliser


from socle.middleware import adresse_du_client as adresse_ip


def _cible_saisie(identifiant: str | None) -> str:
    user = get_user_model().objects.filter(username=identifiant).only("pk").first() if identifiant else None
    return f"user:{user.pk}" if user else "compte:inconnu"


@receiver(user_logged_in, dispatch_uid="ror_audit_connexion")
def connexion(sender, request, user, **kwargs):
    methode = getattr(request, "ror_methode_connexion", "mot_de_passe") if request is not None else "mot_de_passe"
    journaliser(user, Action.CONNEXION, cible=f"user:{user.pk}", details={"methode": methode},
                adresse_ip=adresse_ip(request))


@receiver(user_login_failed, dispatch_uid="ror_audit_echec")
def connexion_echouee(sender, credentials, request=None, **kwargs):
    if getattr(request, "ror_attente", 0):  # refused as too early, password not checked (comptes.ralentissement)
        return
    journaliser(None, Action.CONNEXION_ECHOUEE, cible=_cible_saisie(credentials.get("username")),
                adresse_ip=adresse_ip(request))


@receiver(user_locked_out, dispatch_uid="ror_audit_verrouillage")
def verrouillage(sender, request, username=None, ip_address=None, **kwargs):
    journaliser(None, Action.COMPTE_VERROUILLE, cible=_cible_saisie(username), adresse_ip=ip_address)


def description_client_axes(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes in the server log about a failed login: never the typed name."""
    return f"tentative sur {path_info[0] if isinstance(path_info, (tuple, list)) else path_info}"
