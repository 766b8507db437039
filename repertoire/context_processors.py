from django.conf import settings

from socle.accessibilite import etat as etat_accessibilite

from .access import est_gestionnaire
from .extensions import registre


def portail(request):
    gestionnaire = est_gestionnaire(getattr(request, "user", None))
    return {
        "ROR_SITE_TITLE": settings.ROR_SITE_TITLE,
        "ROR_REGION_NOM": settings.ROR_REGION_NOM,
        "ROR_OPERATEUR": settings.ROR_OPERATEUR,
        "NAVIGATION": registre.entrees_menu(request, gestionnaire),
        "est_gestionnaire": gestionnaire,
        "ROR_ACCESSIBILITE_ETAT": etat_accessibilite(),
    }
