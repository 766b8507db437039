"""Slowing down password guessing before django-axes locks the account.

After two failures for one account from one address, each new attempt must wait
2, 4, 8… seconds after the previous failure. An early attempt is refused without
checking the password (so it costs the server nothing and teaches the guesser
nothing); after five failures axes locks the pair for 15 minutes.
"""

from datetime import timedelta

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.utils import timezone

ECHECS_AVANT_RALENTISSEMENT = 2


def attente_restante(request, username: str) -> int:
    """Seconds this account + address must still wait before a new attempt (0: may try now)."""
    tentative = (AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request))
                 .order_by("-attempt_time").first())
    if tentative is None or tentative.failures_since_start < ECHECS_AVANT_RALENTISSEMENT:
        return 0
    delai = timedelta(seconds=2 ** (tentative.failures_since_start - ECHECS_AVANT_RALENTISSEMENT + 1))
    reste = tentative.attempt_time + delai - timezone.now()
    return max(0, int(reste.total_seconds() + 0.999))
