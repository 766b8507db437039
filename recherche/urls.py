from django.urls import path

from . import views

app_name = "recherche"

urlpatterns = [
    path("", views.recherche, name="recherche"),
    path("resultat/<int:pk>/", views.resultat, name="resultat"),
    path("carte.json", views.carte_donnees, name="carte_donnees"),
    path("carte/lieu/<int:pk>/", views.carte_lieu, name="carte_lieu"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("autocompletion/lieux/", views.autocompletion_lieux, name="autocompletion_lieux"),
    path("autocompletion/libelles/", views.autocompletion_libelles, name="autocompletion_libelles"),
]
