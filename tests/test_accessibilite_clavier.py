"""Keyboard-only journeys in Chromium (no mouse): search, map marker, encadré, beds, dossier.

After every key press inside a page, the focus must be on something: never lost to <body>
(a page load puts it on <body>, as any browser does; the next Tab starts from the top)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from disponibilites.services import enregistrement
from dossiers.models import EtatDossier
from tests.factories import MOT_DE_PASSE
from tests.test_dossiers_flux import dossier_pret_a_valider

pytestmark = pytest.mark.django_db(transaction=True)


def focus_est(page, selecteur: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selecteur)


def focus_perdu(page) -> bool:
    return page.evaluate("() => !document.activeElement || document.activeElement === document.body")


def tab_jusqua(page, selecteur: str, maximum: int = 120, arriere: bool = False):
    """Tab (or Shift+Tab) until the focus is on `selecteur`; on the way the focus is never on <body>,
    except when it leaves the document past its last (first) element, as in any browser."""
    for _ in range(maximum):
        if focus_est(page, selecteur):
            return
        au_bord = page.evaluate("""arriere => {
            const t = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length);
            return document.activeElement === (arriere ? t[0] : t[t.length - 1]) || document.activeElement === document.body;
        }""", arriere)
        page.keyboard.press("Shift+Tab" if arriere else "Tab")
        assert au_bord or not focus_perdu(page), f"focus perdu sur <body> en cherchant {selecteur}"
    raise AssertionError(f"{selecteur} jamais atteint au clavier")


def entree(page, *, navigation: bool = False):
    if navigation:
        with page.expect_navigation():
            page.keyboard.press("Enter")
        return
    page.keyboard.press("Enter")
    assert not focus_perdu(page)


def se_connecter_au_clavier(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/connexion/")
    tab_jusqua(page, "#id_username")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(MOT_DE_PASSE)
    entree(page, navigation=True)


def choisir_lieu(page, debut: str, complet: str):
    """Type the start of a place, then take the first suggestion with the keyboard (the ARIA
    combobox: ArrowDown, Enter); the field then holds the chosen label."""
    page.keyboard.type(debut)
    expect(page.locator("[role=option]").first).to_have_text(re.compile(re.escape(complet)))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("input[name=ou]")).to_have_value(complet)


def test_recherche_resultat_et_repere_de_carte_au_clavier(live_server, page, region):
    page.set_default_timeout(15000)
    base = live_server.url
    se_connecter_au_clavier(page, base, region.consultant)
    tab_jusqua(page, "#navigation-principale a[href='/recherche/']")
    entree(page, navigation=True)

    tab_jusqua(page, "#id_ou, input[name=ou]")
    choisir_lieu(page, "Angers", "Angers (49000)")
    tab_jusqua(page, "#id_rayon, select[name=rayon]")
    page.keyboard.press("End")  # the widest radius, with the keyboard
    tab_jusqua(page, "#bouton-rechercher")
    entree(page, navigation=True)
    # the title says what was searched, and where (not only "Recherche")
    expect(page).to_have_title(re.compile(r"^Toute l'offre — Angers.* : 2 établissements — Recherche — "))

    # open a result, come back
    tab_jusqua(page, ".ror-uos a")
    entree(page, navigation=True)
    expect(page.locator("h1")).to_be_visible()
    page.go_back()

    # the map: a marker opens with Enter, its list takes the focus, Escape gives it back
    page.goto(page.url)  # (back leaves the focus wherever the browser kept it: start the page afresh)
    tab_jusqua(page, "#vue-carte")
    entree(page, navigation=True)
    expect(page.locator("#carte")).to_have_attribute("data-pret", "oui")
    for _ in range(3):  # a group zooms in and hands the focus to a marker
        tab_jusqua(page, "#carte .leaflet-marker-icon")
        if focus_est(page, ".ror-marqueur--lieu"):
            break
        entree(page)
        page.wait_for_timeout(800)
        if focus_est(page, ".ror-marqueur--lieu"):
            break
    nom = page.evaluate("document.activeElement.querySelector('.fr-sr-only').textContent")  # its name
    assert nom.endswith(("2 unités", "1 unité")) and nom.split(",")[0] in ("EHPAD LES TILLEULS", "CH CHOLET")
    page.keyboard.press(" ")  # Space as well as Enter
    expect(page.locator(".leaflet-popup .ror-popup")).to_be_visible()
    expect(page.locator(".leaflet-popup .ror-popup a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert focus_est(page, ".ror-marqueur--lieu")
    entree(page)
    expect(page.locator(".leaflet-popup .ror-popup a").first).to_be_focused()
    entree(page, navigation=True)
    expect(page.locator("h1")).to_be_visible()
    assert "/recherche/resultat/" in page.url


def test_modifier_un_encadre_au_clavier(live_server, page, region):
    page.set_default_timeout(15000)
    base = live_server.url
    se_connecter_au_clavier(page, base, region.referent)
    page.goto(f"{base}/repertoire/{region.uo_hp.pk}/")
    tab_jusqua(page, "#encadre-contacts [data-modifier]")
    entree(page)
    expect(page.locator("#encadre-contacts form")).to_be_visible()
    expect(page.locator("#encadre-contacts input[name=telephone]")).to_be_focused()  # not <body>

    # a wrong address: the summary takes the focus and leads to the field
    tab_jusqua(page, "#encadre-contacts input[name=email]")
    page.keyboard.type("pas-un-courriel")
    tab_jusqua(page, "#encadre-contacts button[type=submit]")
    entree(page)
    expect(page.locator("#encadre-contacts [data-resume-erreurs]")).to_be_focused()
    page.keyboard.press("Tab")
    assert focus_est(page, "[data-resume-erreurs] a")
    entree(page)
    expect(page.locator("#encadre-contacts input[name=email]")).to_be_focused()
    assert page.locator("#encadre-contacts input[name=email]").get_attribute("aria-describedby") == \
        page.locator("#encadre-contacts .fr-error-text").get_attribute("id")

    page.keyboard.press("Control+A")
    page.keyboard.type("accueil@tilleuls.fr")
    tab_jusqua(page, "#encadre-contacts input[name=telephone]", arriere=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("02 41 55 66 77")
    tab_jusqua(page, "#encadre-contacts button[type=submit]")
    entree(page)
    expect(page.locator("#encadre-contacts [role=status]")).to_be_focused()
    expect(page.locator("#encadre-contacts")).to_contain_text("02 41 55 66 77")
    expect(page.locator("#encadre-contacts")).to_contain_text("accueil@tilleuls.fr")


def test_saisir_ses_lits_puis_le_tableau_ne_vole_pas_le_focus(live_server, page, region, settings):
    settings.DISPONIBILITES_RAFRAICHISSEMENT_SECONDES = 1
    page.set_default_timeout(15000)
    base = live_server.url
    se_connecter_au_clavier(page, base, region.referent_autre)
    page.goto(f"{base}/disponibilites/saisie/")
    tab_jusqua(page, f"#id_u{region.uo_rea.pk}-disponibles")
    page.keyboard.type("5")
    entree(page, navigation=True)
    expect(page.locator(".fr-alert--success")).to_contain_text("1 unité(s) mise(s) à jour")

    page.goto(f"{base}/disponibilites/")
    ligne = page.locator(f"#uo-{region.uo_rea.pk}")
    expect(ligne.locator(".ror-dispo")).to_have_text("5")
    page.evaluate(f"document.querySelector('#uo-{region.uo_rea.pk}').closest('section').dataset.temoin = 'meme'")
    assert page.locator("#etat-rafraichissement[aria-live], #etat-rafraichissement[role=status]").count() == 0

    # The focus on a link of the table: new figures come, the table waits.
    tab_jusqua(page, f"#uo-{region.uo_rea.pk} a")
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 3, timezone.now())])
    page.wait_for_timeout(2500)
    assert focus_est(page, f"#uo-{region.uo_rea.pk} a")
    expect(ligne.locator(".ror-dispo")).to_have_text("5")

    # The focus leaves the table: it catches up, the row changed in place, the others kept.
    tab_jusqua(page, "#suspendre-actualisation", arriere=True)
    expect(ligne.locator(".ror-dispo")).to_have_text("3")
    assert not focus_perdu(page)
    assert page.locator("#tableau-contenu section[data-temoin=meme]").count() == 1  # updated in place

    # Paused: nothing changes any more until resumed.
    entree(page)
    expect(page.locator("#suspendre-actualisation")).to_have_text("Reprendre l'actualisation")
    expect(page.locator("#mode-actualisation")).to_have_text("Actualisation automatique suspendue")
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 1, timezone.now() + timedelta(seconds=1))])
    page.wait_for_timeout(2500)
    expect(ligne.locator(".ror-dispo")).to_have_text("3")
    entree(page)
    expect(ligne.locator(".ror-dispo")).to_have_text("1")
    assert focus_est(page, "#suspendre-actualisation")


def test_valider_un_dossier_au_clavier(live_server, page, region):
    page.set_default_timeout(15000)
    dossier = dossier_pret_a_valider(region)
    base = live_server.url
    se_connecter_au_clavier(page, base, region.directeur)
    tab_jusqua(page, "#navigation-principale a[href='/dossiers/']")
    entree(page, navigation=True)
    tab_jusqua(page, f"a[href='/dossiers/{dossier.pk}/']")
    entree(page, navigation=True)
    tab_jusqua(page, "#commentaire-validation")
    page.keyboard.type("Vu avec la direction.")
    page.keyboard.press("Tab")
    assert focus_est(page, "#valider")
    entree(page, navigation=True)
    dossier.refresh_from_db()
    assert dossier.etat == EtatDossier.VALIDATION_GESTIONNAIRE
