from django.urls import path

from . import views

app_name = "qualite"

urlpatterns = [
    path("", views.tableau, name="tableau"),
    path("uo-incompletes/", views.incompletes, name="incompletes"),
    path("uo-incompletes.csv", views.incompletes_csv, name="incompletes_csv"),
    path("non-verifiees/", views.non_verifiees, name="non_verifiees"),
    path("non-verifiees.csv", views.non_verifiees_csv, name="non_verifiees_csv"),
]
