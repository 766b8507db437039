from django.urls import path, re_path

from . import views, views_fhir

app_name = "interop"

urlpatterns = [
    path("fhir/metadata", views_fhir.metadata, name="fhir_metadata"),
    path("fhir/$export", views_fhir.export_lancer, name="fhir_export"),
    path("fhir/$export-status/<uuid:pk>", views_fhir.export_etat, name="fhir_export_etat"),
    path("fhir/$export-fichier/<uuid:pk>/<str:nom>", views_fhir.export_fichier, name="fhir_export_fichier"),
    re_path(r"^fhir/(?P<type_ressource>[A-Za-z]+)$", views_fhir.recherche, name="fhir_recherche"),
    re_path(r"^fhir/(?P<type_ressource>[A-Za-z]+)/(?P<pk>[A-Za-z0-9\-.]{1,64})$", views_fhir.lecture,
            name="fhir_lecture"),
    path("opendata/", views.opendata_index, name="opendata"),
    path("opendata/offre.csv", views.opendata_csv, name="opendata_csv"),
    path("opendata/offre.json", views.opendata_json, name="opendata_json"),
    path("interop/jetons/", views.jetons, name="jetons"),
    path("interop/jetons/<int:pk>/modifier/", views.modifier_jeton, name="modifier_jeton"),
    path("interop/jetons/<int:pk>/revoquer/", views.revoquer_jeton, name="revoquer_jeton"),
    path("interop/synchronisation/", views.synchronisation, name="synchronisation"),
    path("interop/synchronisation/lancer/", views.lancer_synchronisation, name="lancer_synchronisation"),
    path("interop/synchronisation/eg/<int:pk>/", views.etat_eg, name="etat_eg"),
    path("interop/synchronisation/eg/<int:pk>/resynchroniser/", views.resynchroniser_eg, name="resynchroniser_eg"),
]
