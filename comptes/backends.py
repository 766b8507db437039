from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.core.exceptions import PermissionDenied

from . import ralentissement


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, then the slowing down (comptes.ralentissement), for every
    login made over HTTP: the portal's page and /admin/login/ alike.

    authenticate() called without a request (management scripts, the test client's
    login()) has no IP to lock: it is left to the next backend instead of failing.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)  # raises when axes has locked the pair
        attente = ralentissement.attente_restante(request, username or "")
        if attente:
            # Refused before any password check; the login view reads the wait, axes does not count it.
            request.ror_attente = attente
            raise PermissionDenied(f"Trop de tentatives : réessayez dans {ralentissement.en_clair(attente)}.")
        return None


class GestionnaireAxes(AxesDatabaseHandler):
    """An attempt refused as too early (request.ror_attente) was never checked: not a failure."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if getattr(request, "ror_attente", 0):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
