"""Signs of life of the background processes, for the health page (/sante/).

The Celery worker and beat note the time they were last seen in the cache (Redis in
production, shared with the web processes). Nothing personal: times only.
"""

import time

from django.core.cache import cache

WORKER = "sante:worker"
BEAT = "sante:beat"
INTERVALLE = 10  # seconds between two writes of one process (the signals fire often)
_derniere_ecriture: dict[str, float] = {}


def noter(cle: str) -> None:
    maintenant = time.time()
    if maintenant - _derniere_ecriture.get(cle, 0) < INTERVALLE:
        return
    _derniere_ecriture[cle] = maintenant
    try:
        cache.set(cle, maintenant, None)
    except Exception:  # the health page will say the cache is down; the task itself must not fail
        pass


def lu(cle: str) -> float | None:
    return cache.get(cle)
