"""In Chromium: a unit's service enters its beds; the regional board open elsewhere shows them without reload."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from disponibilites.services import enregistrement
from repertoire.models import Niveau
from repertoire.services import offre
from tests.factories import MOT_DE_PASSE, concept

pytestmark = pytest.mark.django_db(transaction=True)


def test_le_tableau_montre_la_nouvelle_valeur_sans_recharger(live_server, page, browser, connecter, region, settings):
    settings.DISPONIBILITES_RAFRAICHISSEMENT_SECONDES = 1
    pediatrie = offre.creer_structure(
        None, Niveau.UO, region.ch, nom="Réanimation pédiatrique", age_min=0, age_max=17, lits_installes=6,
        m2m={"activites": [concept("J17", "130")]})
    enregistrement.enregistrer_figures([enregistrement.Figure(pediatrie, "02", 2, timezone.now() - timedelta(hours=13))])

    # A consultant watches the regional board.
    connecter(region.consultant)
    page.goto(f"{live_server.url}/disponibilites/")
    ligne_rea = page.locator(f"#uo-{region.uo_rea.pk}")
    expect(ligne_rea.locator(".ror-dispo")).to_have_text("—")
    expect(ligne_rea).to_contain_text("Jamais saisi")
    ligne_ped = page.locator(f"#uo-{pediatrie.pk}")
    expect(ligne_ped).to_have_attribute("data-fraicheur", "ancienne")
    expect(ligne_ped).to_contain_text("Ancienne")
    page.evaluate("window.pasRechargee = true")

    # Meanwhile the réanimation's référent enters its beds, keyboard only, on another page.
    contexte = browser.new_context()
    saisie = contexte.new_page()
    saisie.goto(f"{live_server.url}/connexion/")
    saisie.fill("#id_username", region.referent_autre.username)
    saisie.fill("#id_password", MOT_DE_PASSE)
    with saisie.expect_navigation():
        saisie.keyboard.press("Enter")
    saisie.goto(f"{live_server.url}/disponibilites/saisie/")
    saisie.focus(f"#id_u{region.uo_rea.pk}-disponibles")
    saisie.keyboard.type("5")
    saisie.keyboard.press("Tab")
    saisie.keyboard.type("1")  # supplementary beds
    saisie.keyboard.press("Enter")
    expect(saisie.locator(".fr-alert--success")).to_contain_text("1 unité(s) mise(s) à jour")

    # The board shows the new figure by itself.
    expect(ligne_rea.locator(".ror-dispo")).to_have_text("5", timeout=15000)
    expect(ligne_rea).to_contain_text("À jour")
    expect(page.locator("#total-disponibles")).to_have_text("7")
    assert page.evaluate("window.pasRechargee") is True
    expect(page.locator(f"#uo-{pediatrie.pk}")).to_contain_text("Ancienne")
    contexte.close()


def test_la_saisie_refuse_une_valeur_trop_haute_dans_le_navigateur(live_server, page, connecter, region):
    connecter(region.referent_autre)
    page.goto(f"{live_server.url}/disponibilites/saisie/")
    page.focus(f"#id_u{region.uo_rea.pk}-disponibles")
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--error")).to_contain_text("Rien n'a été enregistré")
    expect(page.locator(f"#saisie-{region.uo_rea.pk} .fr-error-text")).to_contain_text("12 lits installés")


@pytest.mark.parametrize("largeur", [1366, 390])
def test_la_carte_des_lits_montre_le_chiffre_de_chaque_unite(live_server, page, connecter, region, largeur):
    """The consultant goes from the board to the map: each unit's marker shows its available beds,
    and opening it names the unit. (A script error once left the map without any marker.)"""
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 4, timezone.now())])
    erreurs = []
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    page.set_viewport_size({"width": largeur, "height": 844})
    connecter(region.consultant)
    page.goto(f"{live_server.url}/disponibilites/")
    page.get_by_role("link", name="Carte", exact=True).click()
    expect(page.locator("#carte-lits")).to_have_attribute("data-pret", "oui")
    marqueur = page.get_by_role("button", name="Réanimation adulte : 4 lits disponibles")
    expect(marqueur).to_contain_text("4")
    marqueur.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Réanimation adulte")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("4 lits disponibles / 12 installés")
    assert not erreurs, erreurs
