from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptes import views as comptes_views
from repertoire import views as repertoire_views
from socle import views as socle_views


def _autodiscover_admin() -> None:
    # django-leaflet's admin needs GDAL (GeoDjango); we use only its map assets.
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name != "leaflet" and find_spec(f"{config.name}.admin"):
            import_module(f"{config.name}.admin")


_autodiscover_admin()

admin.site.site_header = "Administration du portail ROR"
admin.site.site_title = "Portail ROR"

urlpatterns = [
    path("", repertoire_views.accueil, name="accueil"),
    path("accessibilite/", socle_views.accessibilite, name="accessibilite"),
    path("connexion/", comptes_views.Connexion.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", include("comptes.urls")),
    path("admin/", admin.site.urls),
    path("repertoire/", include("repertoire.urls")),
    path("recherche/", include("recherche.urls")),
    path("disponibilites/", include("disponibilites.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("imports/", include("imports.urls")),
    path("qualite/", include("qualite.urls")),
    path("", include("interop.urls")),  # /fhir/…, /opendata/…
    path("sante/", socle_views.sante, name="sante"),
    # Uploaded files: through the rights of their fiche or import, in development as in production.
    path(settings.MEDIA_URL.lstrip("/") + "<path:chemin>", repertoire_views.fichier_protege, name="fichier_protege"),
    # browsers ask for /favicon.ico whatever the page says: the DSFR one
    path("favicon.ico", socle_views.favicon),
]

# French error pages in the site's layout (socle.erreurs).
handler403 = "socle.erreurs.acces_refuse"
handler404 = "socle.erreurs.page_introuvable"
handler500 = "socle.erreurs.erreur_serveur"
