"""The tree browser: by EJ, by Département, by Favoris; lazy children; name filter; disciplines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repertoire.models import Niveau, StatutFiche, Structure
from repertoire.services import offre

pytestmark = pytest.mark.django_db


def page(client, user, nom="repertoire:arbre", args=None, **params):
    client.force_login(user)
    reponse = client.get(reverse(nom, args=args), params, **({"HTTP_HX_REQUEST": "true"} if args else {}))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_racines_par_ej_avec_codes_et_comptes(client, region):
    html = page(client, region.consultant)
    assert "ASSOCIATION LES TILLEULS" in html and "CENTRE HOSPITALIER DE CHOLET" in html
    assert "(1 EG)" in html
    assert "Légende du répertoire" in html and "Fiche en cours de modification" in html
    assert "EHPAD LES TILLEULS" not in html  # children load on expand only


def test_deplier_une_ej_puis_une_eg(client, region):
    html = page(client, region.consultant, "repertoire:arbre_enfants", [region.ej.pk])
    assert "EHPAD LES TILLEULS" in html and "(2 UO)" in html
    html = page(client, region.consultant, "repertoire:arbre_enfants", [region.ehpad.pk])
    assert "Hébergement permanent" in html and "Accueil de jour" in html and ">UO<" in html


def test_pictogramme_du_statut_de_fiche(client, region):
    offre.marquer_statut_fiche([region.uo_aj.pk], StatutFiche.MODIFICATION)
    html = page(client, region.consultant, "repertoire:arbre_enfants", [region.ehpad.pk])
    assert "fr-icon-edit-line" in html and "Fiche en cours de modification" in html


def test_fermee_dans_l_arbre(client, region):
    offre.fermer_structure(region.gestionnaire, region.uo_aj, raison="Fermeture")
    html = page(client, region.consultant, "repertoire:arbre_enfants", [region.ehpad.pk])
    assert "Fermé" in html


def test_par_departement(client, region):
    from django.core.cache import cache

    cache.clear()  # the département counts are cached for a few minutes
    html = page(client, region.consultant, mode="departement")
    assert "49 – Maine-et-Loire" in html and "(2 EG)" in html
    html = page(client, region.consultant, "repertoire:arbre_departement", ["49"])
    assert "EHPAD LES TILLEULS" in html and "CH CHOLET" in html


def test_filtre_disciplines(client, region):
    html = page(client, region.consultant, "repertoire:arbre_enfants", [region.ch.pk], filtre="1", d=["MSS"])
    assert "Réanimation adulte" not in html
    html = page(client, region.consultant, filtre="1", d=["MCO"])
    assert "CENTRE HOSPITALIER DE CHOLET" in html and "ASSOCIATION LES TILLEULS" not in html


def test_filtre_par_nom_sans_accents_ni_majuscules(client, region):
    html = page(client, region.consultant, q="REANIMATION")
    assert "Réanimation adulte" in html and "CH CHOLET" in html  # with its EG for context
    html = page(client, region.consultant, q="hébergement")
    assert "Hébergement permanent" in html and "Accueil de jour" not in html
    html = page(client, region.consultant, q="ré")
    assert "au moins 3 lettres" in html


def test_filtre_par_nom_garde_les_mots_courts_a_leur_place(client, region):
    """The index is probed with the long words only ("accueil", "jour"); the typed text stays exact."""
    offre.creer_structure(region.gestionnaire, Niveau.UO, region.ehpad, nom="Accueil temporaire de nuit et de jour")
    html = page(client, region.consultant, q="Accueil de jour")
    assert "Accueil de jour" in html and "EHPAD LES TILLEULS" in html  # with its EG for context
    assert "Accueil temporaire de nuit" not in html
    html = page(client, region.consultant, q="nuit et de")  # words of 3 letters or less are read too
    assert "Accueil temporaire de nuit et de jour" in html


def test_mode_favoris(client, region):
    client.force_login(region.consultant)
    client.post(reverse("repertoire:favori", args=[region.uo_rea.pk]), {"action": "ajouter"})
    html = page(client, region.consultant, mode="favoris")
    assert "Réanimation adulte" in html and "ASSOCIATION LES TILLEULS" not in html
    client.post(reverse("repertoire:favori", args=[region.uo_rea.pk]), {"action": "retirer"})
    assert "pas encore de favori" in page(client, region.consultant, mode="favoris")


def test_deplier_en_nombre_fixe_de_requetes(client, region):
    """Expanding a node costs the same number of queries with 2 or 12 children (counts aggregated)."""
    client.force_login(region.consultant)
    url = reverse("repertoire:arbre_enfants", args=[region.ehpad.pk])
    with CaptureQueriesContext(connection) as avant:
        client.get(url, HTTP_HX_REQUEST="true")
    for i in range(10):
        offre.creer_structure(region.gestionnaire, Niveau.UO, region.ehpad, nom=f"Unité {i}")
    with CaptureQueriesContext(connection) as apres:
        client.get(url, HTTP_HX_REQUEST="true")
    assert len(apres) == len(avant)
