"""Pages of the ground: the health page for the GRADeS's monitoring (JSON, no personal data), the
déclaration d'accessibilité and the favicon's address."""

import time
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import accessibilite as a11y
from . import sante as signes

# A worker notes itself at least every minute (the `sante-battement` task of the beat schedule).
AGE_MAX_WORKER = 180
AGE_MAX_BEAT = 180


def _base() -> dict:
    debut = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as erreur:
        return {"ok": False, "erreur": type(erreur).__name__}
    return {"ok": True, "duree_ms": round(1000 * (time.perf_counter() - debut), 1)}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configure": False}
    import redis

    debut = time.perf_counter()
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as erreur:
        return {"ok": False, "configure": True, "erreur": type(erreur).__name__}
    return {"ok": True, "configure": True, "duree_ms": round(1000 * (time.perf_counter() - debut), 1)}


def _signe(cle: str, age_max: int) -> dict:
    try:
        quand = signes.lu(cle)
    except Exception as erreur:
        return {"ok": False, "erreur": type(erreur).__name__}
    if quand is None:
        return {"ok": False, "dernier_signe": None}
    age = max(0, round(time.time() - quand))
    return {"ok": age <= age_max, "dernier_signe": datetime.fromtimestamp(quand, tz=dt_timezone.utc).isoformat(),
            "age_secondes": age}


@never_cache
@require_safe
def sante(request):
    """200 while the site can serve (database, Redis); 503 otherwise. A late worker or beat
    makes the state « dégradé » (the site serves, background work waits)."""
    base, redis_ = _base(), _redis()
    worker, beat = _signe(signes.WORKER, AGE_MAX_WORKER), _signe(signes.BEAT, AGE_MAX_BEAT)
    if not (base["ok"] and redis_["ok"]):
        etat = "panne"
    elif not (worker["ok"] and beat["ok"]):
        etat = "degrade"
    else:
        etat = "ok"
    return JsonResponse({"etat": etat, "base": base, "redis": redis_, "worker": worker, "beat": beat,
                         "heure": timezone.now().isoformat()}, status=503 if etat == "panne" else 200,
                        json_dumps_params={"ensure_ascii": False})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the DSFR one (its URL read at request
    time: the hashed name exists only once collectstatic has run)."""
    return HttpResponsePermanentRedirect(static("dsfr/dist/favicon/favicon.ico"))


def accessibilite(request):
    """The déclaration d'accessibilité the law requires of a public-service portal."""
    return render(request, "socle/accessibilite.html", {"declaration": a11y.declaration()})
