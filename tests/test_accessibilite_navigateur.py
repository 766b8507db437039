"""Accessibility in real Chromium: axe-core (WCAG 2.1 A/AA rules) on every main page and state.

The page list below is the one the issue asks for; each page is reached as a user reaches it
(links, forms, keyboard) where a state depends on it (errors, expanded tree, open map marker)."""

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from playwright.sync_api import expect

from dossiers import services as dossiers
from tests.axe import violations_wcag
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def onglet(browser):
    # axe is injected as a script: the portal's CSP would (rightly) refuse it.
    contexte = browser.new_context(bypass_csp=True, locale="fr-FR")
    onglet = contexte.new_page()
    onglet.set_default_timeout(15000)
    yield onglet
    contexte.close()


def se_connecter(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", MOT_DE_PASSE)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def gabarit_existe(nom: str) -> bool:
    try:
        get_template(nom)
    except TemplateDoesNotExist:
        return False
    return True


def test_axe_aucune_violation_wcag21_aa(live_server, onglet, region):
    base, page = live_server.url, onglet
    dossier = dossiers.ouvrir_dossier(region.referent, region.ehpad, "Restructuration")
    constats: dict[str, list[str]] = {}

    def verifier(nom: str):
        page.wait_for_load_state()
        constats[nom] = violations_wcag(page)

    # -- anonymous -------------------------------------------------------------------
    page.goto(base + "/")
    verifier("Accueil (anonyme)")
    page.click("#pied-de-page >> text=Accessibilité")
    expect(page.locator("h1")).to_have_text("Déclaration d'accessibilité")
    verifier("Déclaration d'accessibilité")
    page.goto(base + "/connexion/")
    verifier("Connexion")
    page.goto(base + "/compte/demande/")
    verifier("Demande d'accès (vide)")
    page.click("main button[type=submit]")
    expect(page.locator("[data-resume-erreurs]")).to_be_visible()
    verifier("Demande d'accès (avec erreurs)")
    for code, url in (("404", "/page-qui-n-existe-pas/"),):
        if gabarit_existe(f"{code}.html"):
            page.goto(base + url)
            verifier(f"Page d'erreur {code}")

    # -- a référent: search, fiches, history, encadré with errors, beds, dossier ------------
    se_connecter(page, base, region.referent)
    verifier("Accueil (connecté)")
    page.click("#navigation-principale >> text=Recherche")
    verifier("Recherche (vide)")
    page.get_by_label("Que recherchez-vous", exact=False).fill("EHPAD")
    page.keyboard.press("Enter")
    expect(page.locator(".ror-resultat").first).to_be_visible()
    verifier("Recherche (résultats)")
    page.click("#vue-carte")
    expect(page.locator("#carte")).to_have_attribute("data-pret", "oui")
    verifier("Recherche (carte)")
    page.locator("#carte .ror-marqueur--lieu").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup .ror-popup")).to_be_visible()
    # Leaflet fades the popup in: measured mid-fade, its text would look pale to axe.
    page.wait_for_function("getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    verifier("Recherche (carte, repère ouvert)")
    page.locator(".leaflet-popup .ror-popup a").first.click()
    expect(page.locator("h1")).to_be_visible()
    verifier("Fiche ouverte depuis la recherche")

    page.goto(f"{base}/repertoire/")
    page.locator(f"#noeud-{region.ej.pk} [data-deplier]").first.click()
    expect(page.locator("#arbre")).to_contain_text("EHPAD LES TILLEULS")
    verifier("Répertoire (arbre déplié)")
    page.goto(f"{base}/repertoire/{region.ehpad.pk}/")
    verifier("Fiche EG")
    page.goto(f"{base}/repertoire/{region.uo_hp.pk}/")
    verifier("Fiche UO")
    page.click("text=Historique")
    verifier("Historique d'une fiche")
    page.goto(f"{base}/repertoire/{region.uo_hp.pk}/encadre/contacts/")
    page.fill("input[name=email]", "pas-un-courriel")
    page.click("main button[type=submit]")
    expect(page.locator("[data-resume-erreurs]")).to_be_visible()
    verifier("Encadré en modification (avec erreurs)")

    page.click("#navigation-principale >> text=Disponibilités en lits")
    verifier("Tableau des lits")
    page.goto(f"{base}/disponibilites/carte/")
    verifier("Carte des lits")
    page.goto(f"{base}/disponibilites/saisie/")
    verifier("Saisie des lits")
    page.click("#navigation-principale >> text=Dossiers collaboratifs")
    verifier("Dossiers collaboratifs (liste)")
    page.goto(f"{base}/dossiers/{dossier.pk}/")
    verifier("Dossier collaboratif")
    page.locator('tr[data-nom="EHPAD LES TILLEULS"] a').first.click()
    verifier("Fiche d'un dossier collaboratif")
    page.goto(f"{base}/compte/")
    verifier("Mon compte")
    if gabarit_existe("403.html"):  # the French error pages (navigation issue), once they exist
        page.goto(f"{base}/compte/gestion/demandes/")  # a référent is no gestionnaire
        verifier("Page d'erreur 403")

    # -- the gestionnaire: quality, account management, audit journal --------------------
    se_connecter(page, base, region.gestionnaire)
    page.click("#navigation-principale >> text=Qualité")
    verifier("Tableau de bord qualité")
    page.click("text=Gestion des comptes")
    verifier("Gestion des comptes (demandes)")
    page.goto(f"{base}/compte/gestion/journal/")
    verifier("Journal d'audit")

    rapport = "\n".join(f"- {nom} : " + ("aucune violation" if not v else "\n    " + "\n    ".join(v))
                        for nom, v in constats.items())
    print(f"\naxe-core, règles WCAG 2.1 A/AA, {len(constats)} pages et états :\n{rapport}")
    assert not any(constats.values()), rapport
