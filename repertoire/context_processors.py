from django.conf import settings
from django.urls import NoReverseMatch, reverse

# Main navigation: (title, URL name, URL prefix that marks it current).
NAVIGATION = [
    ("Recherche", "recherche:recherche", "/recherche/"),
    ("Répertoire", "repertoire:arbre", "/repertoire/"),
    ("Disponibilités en lits", "disponibilites:tableau", "/disponibilites/"),
    ("Dossiers collaboratifs", "dossiers:liste", "/dossiers/"),
]
# Shown to gestionnaires ROR only.
NAVIGATION_GESTIONNAIRE = [
    ("Import FINESS", "imports:liste", "/imports/"),
    ("Qualité", "qualite:tableau", "/qualite/"),
    ("Synchronisation", "interop:synchronisation", "/interop/"),
]


def _navigation(request):
    from repertoire.access import est_gestionnaire

    liens = []
    entrees = NAVIGATION + (NAVIGATION_GESTIONNAIRE if est_gestionnaire(getattr(request, "user", None)) else [])
    for titre, nom, prefixe in entrees:
        try:
            url = reverse(nom)
        except NoReverseMatch:
            continue  # the app does not serve pages yet
        liens.append({"titre": titre, "url": url, "actif": request.path.startswith(prefixe)})
    return liens


def portail(request):
    from repertoire.access import est_gestionnaire

    return {
        "ROR_SITE_TITLE": settings.ROR_SITE_TITLE,
        "ROR_REGION_NOM": settings.ROR_REGION_NOM,
        "ROR_OPERATEUR": settings.ROR_OPERATEUR,
        "NAVIGATION": _navigation(request),
        "est_gestionnaire": est_gestionnaire(getattr(request, "user", None)),
    }
