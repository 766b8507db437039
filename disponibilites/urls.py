from django.urls import path

from . import views

app_name = "disponibilites"

urlpatterns = [
    path("", views.tableau_regional, name="tableau"),
    path("tableau/contenu/", views.tableau_contenu, name="tableau_contenu"),
    path("carte/", views.carte, name="carte"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("saisie/", views.saisie, name="saisie"),
    path("historique/", views.historique_territoire, name="historique_territoire"),
    path("unite/<int:pk>/historique/", views.historique_unite, name="historique_unite"),
    path("tensions/", views.tensions, name="tensions"),
    path("tensions/<int:pk>/", views.tension, name="tension"),
    path("unites-suivies/", views.unites_suivies, name="unites_suivies"),
    path("jetons/", views.jetons, name="jetons"),
    path("jetons/<int:pk>/modifier/", views.modifier_jeton, name="modifier_jeton"),
    path("jetons/<int:pk>/revoquer/", views.revoquer_jeton, name="revoquer_jeton"),
    path("api/v1/lits", views.api_lits, name="api_lits"),
]
