from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class CGUMiddleware:
    """A logged-in user who has not accepted the current CGU version is sent to accept them first."""

    PREFIXES_LIBRES = ("/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        version = settings.ROR_CGU_VERSION
        user = getattr(request, "user", None)
        if version and user is not None and user.is_authenticated and user.cgu_version != version:
            page_cgu = reverse("comptes:cgu")
            libres = (page_cgu, reverse("logout"), *self.PREFIXES_LIBRES)
            if not request.path.startswith(libres):
                suite = request.get_full_path() if request.method == "GET" else ""
                return redirect(f"{page_cgu}?{urlencode({'next': suite})}" if suite else page_cgu)
        return self.get_response(request)
