"""Accessibility checks that need no browser: the menu, the error summary, the statement page."""

import re

import pytest
from django.urls import reverse

from socle import accessibilite

pytestmark = pytest.mark.django_db


def liens_du_menu(client) -> dict[str, str]:
    html = client.get("/").content.decode()
    menu = html.split('id="navigation-principale"', 1)[1].split("</nav>", 1)[0]
    return {titre.strip(): url for url, titre in re.findall(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', menu)}


@pytest.mark.parametrize("role", ["consultant", "referent", "directeur", "gestionnaire"])
def test_chaque_entree_du_menu_s_ouvre_pour_qui_la_voit(client, region, role):
    client.force_login(getattr(region, role))
    liens = liens_du_menu(client)
    assert "Recherche" in liens
    for titre, url in liens.items():
        assert client.get(url).status_code == 200, f"{role} voit « {titre} » mais ne peut pas l'ouvrir"
    assert ("Dossiers collaboratifs" in liens) is (role != "consultant")
    assert ("Qualité" in liens) is (role == "gestionnaire")


def test_erreurs_reliees_aux_champs_et_resume(client):
    reponse = client.post(reverse("comptes:demande_acces"), {"prenom": "", "nom": "Martin", "email": "pas-un-courriel"})
    html = reponse.content.decode()
    # Django points each field to "<id>_helptext" and "<id>_error": both ids exist on the page.
    for cible in set(" ".join(re.findall(r'aria-describedby="([^"]+)"', html)).split()):
        assert f'id="{cible}"' in html, f"aria-describedby vers un id absent : {cible}"
    assert 'aria-describedby="id_email_error"' in html and 'id="id_email_error"' in html
    resume = html.split("data-resume-erreurs", 1)[1].split("</div>", 1)[0]
    assert 'href="#id_prenom"' in resume and 'href="#id_email"' in resume and 'href="#id_nom"' not in resume
    assert "Les champs suivis d'un astérisque (*) sont obligatoires." in html
    assert 'autocomplete="given-name"' in html and 'autocomplete="family-name"' in html
    assert 'autocomplete="email"' in html and 'autocomplete="organization-title"' in html


def test_declaration_d_accessibilite_suit_les_reglages(client, settings):
    settings.ROR_ACCESSIBILITE = {**settings.ROR_ACCESSIBILITE, "taux": "", "date_audit": ""}
    html = client.get("/").content.decode()
    assert f'href="{reverse("accessibilite")}">Accessibilité : non conforme</a>' in html
    page = client.get(reverse("accessibilite")).content.decode()
    assert "<strong>non conforme</strong>" in page and "Aucun audit complet" in page
    assert "Défenseur des droits" in page and "Libre réponse 71120, 75342 Paris CEDEX 07" in page

    # After its own audit, the GRADeS sets the figures: the state and the footer follow.
    settings.ROR_ACCESSIBILITE = {**settings.ROR_ACCESSIBILITE, "taux": "74,5", "date_audit": "15/11/2026",
                                  "auditeur": "un cabinet agréé"}
    assert accessibilite.etat() == "partiellement conforme"
    page = client.get(reverse("accessibilite")).content.decode()
    assert "<strong>partiellement conforme</strong>" in page
    assert "révèle que <strong>74,5 %</strong> des critères" in page and "le 15/11/2026" in page
    assert "Accessibilité : partiellement conforme</a>" in page
    settings.ROR_ACCESSIBILITE = {**settings.ROR_ACCESSIBILITE, "taux": "100"}
    assert accessibilite.etat() == "totalement conforme"


def test_chaque_aria_describedby_designe_un_element_de_la_page(client, region):
    """Hints and errors are linked to their fields: no aria-describedby points to a missing id."""
    client.force_login(region.gestionnaire)
    pages = [
        (reverse("recherche:recherche"), {}),
        (reverse("recherche:recherche"), {"ou": "Angers", "rayon": "100", "age": "cent"}),  # an error
        (reverse("repertoire:modifier_encadre", args=[region.uo_hp.pk, "contacts"]), {}),
        (reverse("comptes:email_changer"), {}),
        (reverse("comptes:utilisateur", args=[region.referent.pk]), {}),
        (reverse("disponibilites:tensions"), {}),
        (reverse("repertoire:signaler", args=[region.uo_hp.pk]), {}),
        (reverse("repertoire:arbre"), {}),
    ]
    for url, parametres in pages:
        html = client.get(url, parametres).content.decode()
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for valeur in re.findall(r'aria-describedby="([^"]*)"', html):
            manquants = set(valeur.split()) - ids
            assert not manquants, f"{url} {parametres} : aria-describedby vers {manquants}"
    html = client.post(reverse("repertoire:modifier_encadre", args=[region.uo_hp.pk, "contacts"]), {
        "version": region.uo_hp.version, "telephone": "", "fax": "", "email": "pas-un-courriel",
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}).content.decode()
    assert 'aria-describedby="id_email_error"' in html and 'id="id_email_error"' in html
    assert '<a href="#id_email" data-vers-champ>' in html
