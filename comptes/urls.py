from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "comptes"

urlpatterns = [
    path("", views.mon_compte, name="mon_compte"),
    path("adresse/", views.email_changer, name="email_changer"),
    path("adresse/confirmer/<str:jeton>/", views.email_confirmer, name="email_confirmer"),
    path("mot-de-passe/", views.MotDePasseChanger.as_view(), name="mot_de_passe_changer"),
    path("cgu/", views.cgu, name="cgu"),
    # Demande d'accès
    path("demande/", views.demande_acces, name="demande_acces"),
    path("demande/envoyee/", views.demande_envoyee, name="demande_envoyee"),
    path("demande/confirmer/<str:jeton>/", views.demande_confirmer, name="demande_confirmer"),
    # Mot de passe oublié, et premier mot de passe d'un compte accepté
    path("mot-de-passe-oublie/", views.Reinitialisation.as_view(), name="reinitialisation"),
    path("mot-de-passe-oublie/envoye/", auth_views.PasswordResetDoneView.as_view(
        template_name="comptes/reinitialisation_envoyee.html"), name="reinitialisation_envoyee"),
    path("nouveau-mot-de-passe/<uidb64>/<token>/", views.ReinitialisationConfirmer.as_view(),
         name="reinitialisation_confirmer"),
    path("nouveau-mot-de-passe/enregistre/", auth_views.PasswordResetCompleteView.as_view(
        template_name="comptes/reinitialisation_terminee.html"), name="reinitialisation_terminee"),
    # Pro Santé Connect
    path("pro-sante-connect/", views.psc_connexion, name="psc_connexion"),
    path("pro-sante-connect/retour/", views.psc_retour, name="psc_retour"),
    # Directeur : référents de ses structures
    path("structures/<int:pk>/referents/", views.referents, name="referents"),
    path("structures/<int:pk>/referents/<int:user_pk>/retirer/", views.referent_retirer, name="referent_retirer"),
    # Gestionnaire
    path("gestion/demandes/", views.demandes, name="demandes"),
    path("gestion/demandes/<int:pk>/", views.demande, name="demande"),
    path("gestion/demandes/<int:pk>/accepter/", views.demande_accepter, name="demande_accepter"),
    path("gestion/demandes/<int:pk>/refuser/", views.demande_refuser, name="demande_refuser"),
    path("gestion/utilisateurs/", views.utilisateurs, name="utilisateurs"),
    path("gestion/utilisateurs/<int:pk>/", views.utilisateur, name="utilisateur"),
    path("gestion/utilisateurs/<int:pk>/droits/ajouter/", views.utilisateur_droit_ajouter, name="droit_ajouter"),
    path("gestion/utilisateurs/<int:pk>/droits/retirer/", views.utilisateur_droit_retirer, name="droit_retirer"),
    path("gestion/utilisateurs/<int:pk>/roles/", views.utilisateur_groupes, name="roles"),
    path("gestion/utilisateurs/<int:pk>/desactiver/", views.utilisateur_desactiver, name="desactiver"),
    path("gestion/utilisateurs/<int:pk>/reactiver/", views.utilisateur_reactiver, name="reactiver"),
    path("gestion/verrouillages/", views.verrouillages, name="verrouillages"),
    path("gestion/verrouillages/<int:pk>/deverrouiller/", views.deverrouiller, name="deverrouiller"),
    path("gestion/journal/", views.journal, name="journal"),
    path("gestion/journal.csv", views.journal_csv, name="journal_csv"),
]
