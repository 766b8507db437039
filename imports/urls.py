from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("finess/", views.liste, name="liste"),
    path("finess/lancer/", views.lancer, name="lancer"),
    path("finess/<int:pk>/", views.detail, name="detail"),
    path("finess/<int:pk>/confirmer/", views.confirmer, name="confirmer"),
    path("finess/<int:pk>/annuler/", views.annuler, name="annuler"),
    path("finess/<int:pk>/progression/", views.progression, name="progression"),
    path("finess/<int:pk>/rapport.csv", views.rapport_csv, name="rapport_csv"),
]
