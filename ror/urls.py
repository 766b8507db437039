from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptes import views as comptes_views
from repertoire import views as repertoire_views


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
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
