"""The error pages are French, inside the site's layout, say why and where to go; a favicon."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_403_en_francais_dans_la_mise_en_page(client, region):
    client.force_login(region.referent_autre)
    # the referent of CH CHOLET may not edit the EHPAD
    reponse = client.get(reverse("repertoire:modifier_encadre", args=[region.uo_hp.pk, "contacts"]))
    assert reponse.status_code == 403
    html = reponse.content.decode()
    assert "Accès refusé" in html and "Vous n'avez pas le droit d'ouvrir cette page" in html
    assert 'class="fr-header"' in html and "Revenir à l'accueil" in html and "Forbidden" not in html


@override_settings(DEBUG=False)
def test_404_en_francais_dans_la_mise_en_page(client, region):
    client.force_login(region.consultant)
    reponse = client.get("/cette-page-n-existe-pas/")
    assert reponse.status_code == 404
    html = reponse.content.decode()
    assert "Page introuvable" in html and 'class="fr-header"' in html and "Rechercher une offre" in html
    assert "Not Found" not in html
    fiche = client.get(reverse("repertoire:fiche", kwargs={"pk": 999999999}))
    assert fiche.status_code == 404 and "Page introuvable" in fiche.content.decode()


def test_500_en_francais_sans_base_ni_requete(rf):
    from socle.erreurs import erreur_serveur

    reponse = erreur_serveur(rf.get("/"))
    assert reponse.status_code == 500
    html = reponse.content.decode()
    assert "Erreur du serveur" in html and "Une erreur inattendue" in html and 'lang="fr"' in html


def test_echec_csrf_en_francais(region):
    client = Client(enforce_csrf_checks=True)
    client.force_login(region.consultant)
    reponse = client.post(reverse("logout"))
    assert reponse.status_code == 403
    assert "Le formulaire n'a pas pu être envoyé" in reponse.content.decode()


def test_favicon(client):
    reponse = client.get("/favicon.ico")
    assert reponse.status_code == 301 and reponse.url.endswith("favicon.ico")
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()
