"""Errors: the pages in the site's layout and in French (templates/403.html, 404.html, 500.html),
and error reports (technical page, mails to admins) that mask every secret setting.

Django's own handlers render 403.html and 404.html with the request; a 500 may come from the
database or a context processor, so its page is rendered without them, from settings only."""

import re

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.csrf import requires_csrf_token


class FiltreDesSecrets(SafeExceptionReporterFilter):
    # Django's list, plus the French "jeton" (VIATRAJECTOIRE_JETON) and URLs that carry passwords.
    hidden_settings = re.compile("API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|JETON|DATABASE_URL|REDIS",
                                 flags=re.IGNORECASE)

CONTEXTE_ERREUR = {
    403: "Accès refusé",
    404: "Page introuvable",
    500: "Erreur du serveur",
}


def contexte(code: int) -> dict:
    return {"code_erreur": code, "titre_erreur": CONTEXTE_ERREUR[code]}


@requires_csrf_token
def erreur_serveur(request, template_name="500.html"):
    contexte_minimal = {
        **contexte(500), "ROR_SITE_TITLE": settings.ROR_SITE_TITLE, "ROR_OPERATEUR": settings.ROR_OPERATEUR,
        "ROR_REGION_NOM": settings.ROR_REGION_NOM,
    }
    try:
        html = loader.get_template(template_name).render(contexte_minimal)
    except Exception:  # the layout itself failed: a plain French page, never Django's English one
        html = ("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Erreur du serveur</title></head>"
                "<body><h1>Erreur du serveur</h1><p>Une erreur inattendue s'est produite. Réessayez dans quelques "
                "minutes.</p><p><a href=\"/\">Revenir à l'accueil</a></p></body></html>")
    return HttpResponseServerError(html)


def acces_refuse(request, exception=None, template_name="403.html"):
    # The reason given by access.exiger ("Vous n'avez pas les droits…") is written for users.
    message = str(exception) if exception is not None and exception.args else ""
    html = loader.render_to_string(template_name, {**contexte(403), "exception": message}, request)
    return HttpResponseForbidden(html)


def page_introuvable(request, exception=None, template_name="404.html"):
    html = loader.render_to_string(template_name, contexte(404), request)
    return HttpResponseNotFound(html)


def echec_csrf(request, reason="", template_name="403_csrf.html"):
    html = loader.render_to_string(template_name, contexte(403), request)
    return HttpResponseForbidden(html)
