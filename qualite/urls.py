from django.urls import path

from . import views, views_campagnes

app_name = "qualite"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("uo-incompletes/", views.incompletes, name="incompletes"),
    path("uo-incompletes.csv", views.incompletes_csv, name="incompletes_csv"),
    path("non-verifiees/", views.non_verifiees, name="non_verifiees"),
    path("non-verifiees.csv", views.non_verifiees_csv, name="non_verifiees_csv"),
    path("exigences-ans/", views.exigences, name="exigences"),
    path("exigences-ans/<str:code>/", views.exigence, name="exigence"),
    path("exigences-ans/<str:code>/ecarts.csv", views.exigence_csv, name="exigence_csv"),
    path("campagnes/", views_campagnes.liste, name="campagnes"),
    path("campagnes/<int:pk>/", views_campagnes.campagne, name="campagne"),
    path("campagnes/<int:pk>/clore/", views_campagnes.clore, name="campagne_clore"),
    path("campagnes/<int:pk>/mes-fiches/", views_campagnes.fiches, name="campagne_fiches"),
    path("campagnes/<int:pk>/mes-fiches/<int:fiche>/rien-n-a-change/", views_campagnes.confirmer,
         name="campagne_confirmer"),
    path("campagnes/lien/<str:jeton>/", views_campagnes.lien, name="campagne_lien"),
]
