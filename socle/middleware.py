"""The client's address when the portal stands behind a declared reverse proxy."""

from django.conf import settings


def adresse_du_client(request) -> str | None:
    """The client's address (after AdresseDuClient has run): what axes, the slowdown and the audit log use."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


class AdresseDuClient:
    """With ROR_PROXIES_DE_CONFIANCE = n (n proxies in front, e.g. 1 for Caddy), REMOTE_ADDR
    becomes the address the nearest trusted proxy saw: the n-th entry of X-Forwarded-For from
    the right. django-axes and the audit log read REMOTE_ADDR. Without the setting the header
    is ignored: anyone could forge it to dodge the lockout or blur the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        proxies = settings.ROR_PROXIES_DE_CONFIANCE
        if proxies:
            adresses = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
            if len(adresses) >= proxies:
                request.META["REMOTE_ADDR"] = adresses[-proxies]
        return self.get_response(request)
