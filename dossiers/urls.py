from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("ouvrir/<int:pk>/", views.ouvrir, name="ouvrir"),  # pk: the structure (EG or EJ)
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/comparer/", views.comparer, name="comparer"),
    path("<int:pk>/fiches/<int:fiche>/", views.fiche, name="fiche"),
    path("<int:pk>/fiches/<int:fiche>/nommage/", views.nommage, name="nommage"),
    path("<int:pk>/fiches/<int:fiche>/supprimer/", views.supprimer_unite, name="supprimer_unite"),
    path("<int:pk>/fiches/<int:fiche>/retablir/", views.retablir_unite, name="retablir_unite"),
    path("<int:pk>/fiches/<int:fiche>/deplacer/", views.deplacer_unite, name="deplacer_unite"),
    path("<int:pk>/creer-unites/", views.creer_unites, name="creer_unites"),
    path("<int:pk>/creer-structure/", views.creer_structure, name="creer_structure"),
    path("<int:pk>/envoyer/", views.envoyer, name="envoyer"),
    path("<int:pk>/valider/", views.valider, name="valider"),
    path("<int:pk>/renvoyer/", views.renvoyer, name="renvoyer"),
    path("<int:pk>/publier/", views.publier, name="publier"),
    path("<int:pk>/rejeter/", views.rejeter, name="rejeter"),
    path("<int:pk>/abandonner/", views.abandonner, name="abandonner"),
]
