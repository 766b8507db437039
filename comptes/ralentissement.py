"""Slowing down password guessing before django-axes locks the account, for every login form
(the portal's and /admin/login/: comptes.backends.AxesBackend asks here before any password check).

After two failures for one account from one address, each new attempt must wait 2, 4, 8…
seconds after the previous failure. An early attempt is refused without checking the password
(so it costs the server nothing and teaches the guesser nothing, and nobody sleeps); after five
failures axes locks the pair for 15 minutes. One address that fails ROR_ECHECS_PAR_ADRESSE
times over every account within those 15 minutes (guesses spread across accounts) waits
until 15 minutes after its last failure. The address is the client's as socle.middleware
.AdresseDuClient sets it (the trusted proxies' X-Forwarded-For entry, never a forged one).
"""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from socle.middleware import adresse_du_client

ECHECS_AVANT_RALENTISSEMENT = 2


def _secondes(jusqu_a) -> int:
    return max(0, int((jusqu_a - timezone.now()).total_seconds() + 0.999))


def attente_du_compte(request, username: str) -> int:
    """Seconds this account + address must still wait before a new attempt (0: may try now)."""
    tentative = (AccessAttempt.objects.filter(username=username, ip_address=adresse_du_client(request))
                 .order_by("-attempt_time").first())
    if tentative is None or tentative.failures_since_start < ECHECS_AVANT_RALENTISSEMENT:
        return 0
    delai = timedelta(seconds=2 ** (tentative.failures_since_start - ECHECS_AVANT_RALENTISSEMENT + 1))
    return _secondes(tentative.attempt_time + delai)


def attente_de_l_adresse(request) -> int:
    """Seconds this address must wait, whatever the account, once it failed too often (0: may try now)."""
    depuis = timezone.now() - settings.AXES_COOLOFF_TIME
    echecs = (AccessAttempt.objects.filter(ip_address=adresse_du_client(request), attempt_time__gte=depuis)
              .aggregate(n=Sum("failures_since_start"), derniere=Max("attempt_time")))
    if (echecs["n"] or 0) < settings.ROR_ECHECS_PAR_ADRESSE:
        return 0
    return _secondes(echecs["derniere"] + settings.AXES_COOLOFF_TIME)


def attente_restante(request, username: str) -> int:
    return max(attente_de_l_adresse(request), attente_du_compte(request, username))


def en_clair(secondes: int) -> str:
    """« 8 secondes », « 15 minutes »: what the refused person reads."""
    if secondes >= 120:
        minutes = (secondes + 59) // 60
        return f"{minutes} minutes"
    return f"{secondes} seconde{'s' if secondes > 1 else ''}"


def oublier_echecs(username: str) -> int:
    """The owner proved himself another way (reset link): his account's failures are forgotten."""
    return AccessAttempt.objects.filter(username=username).delete()[0]
