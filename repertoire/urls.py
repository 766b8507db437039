from django.urls import path

from . import views

app_name = "repertoire"

urlpatterns = [
    path("", views.arbre, name="arbre"),
    path("noeud/<int:pk>/enfants/", views.arbre_enfants, name="arbre_enfants"),
    path("departement/<str:code>/", views.arbre_departement, name="arbre_departement"),
    path("<int:pk>/", views.fiche, name="fiche"),
    path("<int:pk>/historique/", views.historique, name="historique"),
    path("<int:pk>/encadre/<slug:cle>/", views.modifier_encadre, name="modifier_encadre"),
    path("<int:pk>/verifier/", views.verifier, name="verifier"),
    path("<int:pk>/favori/", views.favori, name="favori"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/anomalie/", views.signaler, name="signaler"),
    path("anomalies/", views.anomalies, name="anomalies"),
    path("anomalies/<int:pk>/traiter/", views.traiter_anomalie, name="traiter_anomalie"),
    path("communes/", views.communes, name="communes"),
]
