"""A verification campaign in Chromium, on a desk and on a 390 px phone: the gestionnaire launches it
after seeing how many fiches and référents it concerns; the référent follows the link of the e-mail,
confirms a fiche with « Rien n'a changé » (keyboard) and another (mouse); the progress follows."""

import os

import pytest
from django.core import mail
from playwright.sync_api import expect

from qualite.campagnes import inviter
from qualite.models import Campagne, FicheCampagne

pytestmark = pytest.mark.django_db(transaction=True)

BUREAU = {"width": 1280, "height": 900}
TELEPHONE = {"width": 390, "height": 844}
CAPTURES = os.environ.get("ROR_CAPTURES")  # a folder: keep screenshots to look at


def capturer(page, nom):
    if CAPTURES:
        page.screenshot(path=os.path.join(CAPTURES, f"{nom}.png"), full_page=True)


def sans_defilement_horizontal(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("ecran", [BUREAU, TELEPHONE], ids=["bureau", "telephone"])
def test_lancer_suivre_le_lien_rien_n_a_change_et_avancement(live_server, page, connecter, region, ecran):
    page.set_viewport_size(ecran)
    page.set_default_timeout(15000)
    suffixe = "telephone" if ecran is TELEPHONE else "bureau"

    # -- the gestionnaire, from the menu to the campaigns tab
    connecter(region.gestionnaire)
    if ecran is TELEPHONE:
        page.click("#bouton-menu-mobile")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Qualité").click()
    page.get_by_role("link", name="Campagnes de vérification").click()
    page.locator("#id_nom").press_sequentially("Vérification 2026 Maine-et-Loire", delay=10)
    page.locator("label[for=perimetre-departement]").click()
    page.locator("#id_departement").focus()
    page.locator("#id_departement").select_option("49")
    page.get_by_role("button", name="Voir ce que la campagne concernera").click()

    # the preview says how many fiches and référents, and launches nothing yet
    apercu = page.locator("#apercu")
    expect(apercu).to_contain_text("5 fiches")
    expect(apercu).to_contain_text("2 référents")
    assert not Campagne.objects.exists()
    sans_defilement_horizontal(page)
    capturer(page, f"campagne-apercu-{suffixe}")
    page.get_by_role("button", name="Lancer la campagne et prévenir les référents").click()
    page.wait_for_url("**/qualite/campagnes/*/")
    expect(page.locator("#avancement")).to_have_text("0 / 5")
    campagne = Campagne.objects.get()

    # -- the référent's e-mail (sent by the worker in production; here by the same function)
    inviter(campagne)
    courriel = next(m for m in mail.outbox if m.to == [region.referent.email])
    lien = next(ligne for ligne in courriel.body.splitlines() if "/qualite/campagnes/lien/" in ligne).split(": ", 1)[1]
    page.context.clear_cookies()
    page.goto(lien.replace("http://127.0.0.1:8000", live_server.url))
    page.fill("#id_username", region.referent.username)  # the link asks to log in first, then opens
    page.fill("#id_password", "mot-de-passe-de-test")
    page.click("button[type=submit]")
    page.wait_for_url("**/mes-fiches/")
    expect(page.locator("#progression")).to_contain_text("Fiches vérifiées : 0 sur 3")
    expect(page.locator("main")).not_to_contain_text("CH CHOLET")
    sans_defilement_horizontal(page)
    capturer(page, f"campagne-referent-{suffixe}")

    # « Rien n'a changé »: with the keyboard on one fiche, with the mouse on another
    page.get_by_role("button", name="Rien n'a changé : Hébergement permanent").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("#progression")).to_contain_text("Fiches vérifiées : 1 sur 3")
    expect(page.get_by_text("« Hébergement permanent » : vérification enregistrée")).to_be_visible()
    page.get_by_role("button", name="Rien n'a changé : Accueil de jour").click()
    expect(page.locator("#progression")).to_contain_text("Fiches vérifiées : 2 sur 3")
    expect(page.get_by_role("button", name="Rien n'a changé : Accueil de jour")).to_have_count(0)
    capturer(page, f"campagne-referent-apres-{suffixe}")
    assert FicheCampagne.objects.filter(traitee_par=region.referent).count() == 2

    # -- the gestionnaire sees the progress, by référent and by EG
    page.context.clear_cookies()
    connecter(region.gestionnaire)
    if ecran is TELEPHONE:
        page.click("#bouton-menu-mobile")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Qualité").click()
    page.get_by_role("link", name="Campagnes de vérification").click()
    page.get_by_role("link", name="Vérification 2026 Maine-et-Loire").click()
    expect(page.locator("#avancement")).to_have_text("2 / 5")
    expect(page.locator("#par-eg")).to_contain_text("2 / 3")
    expect(page.locator("#par-referent")).to_contain_text("referent_autre")
    sans_defilement_horizontal(page)
    capturer(page, f"campagne-avancement-{suffixe}")
    page.get_by_role("button", name="Clore la campagne").click()
    expect(page.get_by_text("La campagne est close")).to_be_visible()
