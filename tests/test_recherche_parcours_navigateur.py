"""The professional's path in Chromium, as a person does it, on a desk and on a 390 px phone:
type in "Que recherchez-vous ?" and "Où ?", choose the suggestions with the keyboard (arrows +
Enter) or the mouse, search, open a result, go to the next one, export it as PDF (read back with
pdftotext), and come back to the results on the same row. No URL is built by hand."""

import pytest

from tests.aides_navigateur import exiger_pdftotext, lire_pdf_du_lien

pytestmark = pytest.mark.django_db(transaction=True)

BUREAU = {"width": 1366, "height": 768}
TELEPHONE = {"width": 390, "height": 844}


def saisir(page, champ: str, texte: str, attendue: str):
    """Type like a person and wait for the suggestion they are looking for."""
    page.click(champ)
    page.keyboard.type(texte, delay=40)
    option = page.locator(f"{champ}__listbox li", has_text=attendue).first
    option.wait_for()
    return option


def choisir_au_clavier(page, champ: str, texte: str, attendue: str):
    saisir(page, champ, texte, attendue)
    options = page.locator(f"{champ}__listbox li")
    rang = next(i for i, t in enumerate(options.all_inner_texts()) if attendue in t)
    for _ in range(rang + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def choisir_a_la_souris(page, champ: str, texte: str, attendue: str):
    saisir(page, champ, texte, attendue).click()


def ouvrir_recherche(page, live_server, connecter, utilisateur):
    connecter(utilisateur)
    if page.viewport_size["width"] < 768:  # the menu is folded on a phone
        page.click("#bouton-menu-mobile")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Recherche").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("ecran,clavier_pour_ou", [(BUREAU, True), (TELEPHONE, False)], ids=["bureau", "telephone"])
def test_chercher_ouvrir_suivant_pdf_et_revenir_sur_la_meme_ligne(live_server, page, connecter, region, tmp_path,
                                                                 ecran, clavier_pour_ou):
    exiger_pdftotext()
    page.set_viewport_size(ecran)
    ouvrir_recherche(page, live_server, connecter, region.consultant)

    # "Que recherchez-vous ?" suggests the acronym; "Où ?" the commune, chosen one way or the other
    choix_quoi, choix_ou = (choisir_a_la_souris, choisir_au_clavier) if clavier_pour_ou else (
        choisir_au_clavier, choisir_a_la_souris)
    choix_quoi(page, "#id_quoi", "ehpa", "pour personnes âgées dépendantes")
    assert page.input_value("#id_quoi") == "EHPAD"
    choix_ou(page, "#id_ou", "Anger", "Angers (49000)")
    assert page.input_value("#id_ou") == "Angers (49000)"
    page.wait_for_timeout(400)  # nothing may undo the choice afterwards (the bug of issue #13)
    assert page.input_value("#id_ou") == "Angers (49000)" and page.input_value("#id_lieu") == "commune:49007"
    page.select_option("#id_rayon", "100")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    assert "Lieu introuvable" not in page.content()
    assert page.locator("#nombre-resultats").inner_text().startswith("1 établissement — Angers (49000)")
    assert "Du plus proche" in page.locator("#ordre-resultats").inner_text()
    ligne = page.locator("#resultat-1")
    assert ligne.locator("h2").inner_text().startswith("1. EHPAD LES TILLEULS")
    if ecran is TELEPHONE:  # results before the (folded) filters
        assert page.locator("#resultats").bounding_box()["y"] < page.locator("#filtres").bounding_box()["y"]
        assert not page.locator("#id_discipline").is_visible()
    adresse_recherche = page.url

    # open a result, go to the next one, export it as PDF
    page.locator("#resultat-1 .ror-uos a").first.click()
    page.wait_for_load_state()
    premier = page.locator("h1").inner_text()
    assert page.locator("#resultat-precedent").count() == 0  # the first result: no previous one
    page.click("#resultat-suivant")
    page.wait_for_load_state()
    second = page.locator("h1").inner_text()
    assert {premier.strip(), second.strip()} == {"Hébergement permanent", "Accueil de jour"}
    page.click("#resultat-precedent")  # and back to the first
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == premier.strip()
    page.click("#resultat-suivant")
    page.wait_for_load_state()
    texte = lire_pdf_du_lien(page, "Exporter en PDF", tmp_path)
    assert second.strip() in texte and "EHPAD LES TILLEULS" in texte

    # back from the PDF viewer, then back to the results: same query, same page, on the row opened
    page.go_back()
    page.wait_for_load_state()
    page.click("#retour-resultats")
    page.wait_for_load_state()
    assert page.url.split("#")[0].replace("&page=1", "") == adresse_recherche.replace("&page=1", "")
    assert page.url.endswith("#resultat-1")
    assert page.locator("#resultat-1").is_visible()
    boite = page.locator("#resultat-1").bounding_box()
    assert 0 <= boite["y"] < ecran["height"]  # scrolled to the row


def test_taper_sans_choisir_et_age_dans_le_besoin(live_server, page, connecter, region):
    """Typing the label of a suggestion, a postcode or an establishment without choosing it finds
    it too; "personne de 80 ans" is read as the age filter and the page says so."""
    page.set_viewport_size(TELEPHONE)
    ouvrir_recherche(page, live_server, connecter, region.consultant)
    page.click("#id_ou")
    page.keyboard.type("Angers (49000)")
    page.click("#id_quoi")
    page.keyboard.type("accueil de jour personne de 80 ans")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no suggestion highlighted: Enter searches
    assert "Lieu introuvable" not in page.content()
    assert page.locator("#compris").inner_text().startswith("Compris : « personne de 80 ans » : âge de la personne, 80 ans")
    assert page.input_value("#id_age") == "80"
    unites = page.locator(".ror-uos a").all_inner_texts()
    assert unites and all(t.endswith("Accueil de jour") for t in unites)  # not the permanent stay
    assert page.locator(".ror-raisons mark").first.inner_text().lower().startswith("accueil")

    page.fill("#id_ou", "")
    page.click("#id_ou")
    page.keyboard.type("EHPAD LES TILLEULS 49000")
    page.fill("#id_quoi", "")
    with page.expect_navigation():
        page.click("#bouton-rechercher")
    assert page.locator("#nombre-resultats").inner_text().startswith("1 établissement — EHPAD LES TILLEULS")


@pytest.mark.parametrize("ecran,choix", [(BUREAU, choisir_au_clavier), (TELEPHONE, choisir_a_la_souris)],
                         ids=["bureau-clavier", "telephone-souris"])
def test_choisir_un_mode_applique_le_filtre_et_le_dit(live_server, page, connecter, region, ecran, choix):
    """"Accueil de jour" as a mode de prise en charge is a filter, not words: choosing that
    suggestion sets the filter (the words stay empty), the form says so, the results keep to it."""
    from repertoire.services import offre
    from tests.factories import concept

    offre.modifier_structure(None, region.uo_aj, {}, m2m={"modes_prise_en_charge": [concept("R213", "47")]},
                             raison="test")
    page.set_viewport_size(ecran)
    ouvrir_recherche(page, live_server, connecter, region.consultant)
    choix(page, "#id_quoi", "accueil de j", "Mode de prise en charge")
    assert page.input_value("#id_quoi") == ""
    assert page.input_value("#id_mode") == "47"
    assert page.locator("#filtre-applique").inner_text().startswith(
        "Filtre appliqué : Mode de prise en charge « Accueil de jour »")
    choix(page, "#id_ou", "Anger", "Angers (49000)")
    page.select_option("#id_rayon", "100")
    with page.expect_navigation():
        page.click("#bouton-rechercher")
    assert page.locator("#filtres-actifs").inner_text().startswith(
        "Filtres appliqués : Mode de prise en charge : Accueil de jour")
    unites = page.locator(".ror-uos a").all_inner_texts()
    assert len(unites) == 1 and unites[0].endswith("Accueil de jour")  # the day care only, not the stay
    assert "Filtres (1 actif)" in page.locator("#filtres summary").inner_text()


def test_une_reponse_tardive_ne_rouvre_pas_les_propositions(live_server, page, connecter, region):
    """On a slow server the suggestions for the last letters typed may arrive after the person
    chose one with the mouse: they must not open the menu again over "Rechercher" (seen under load:
    the menu covered the button, the click failed)."""
    page.set_viewport_size(TELEPHONE)
    ouvrir_recherche(page, live_server, connecter, region.consultant)

    def lente(route):
        if route.request.url.endswith("q=Anger"):
            page.wait_for_timeout(1500)
        route.continue_()

    page.route("**/autocompletion/lieux/**", lente)
    page.click("#id_ou")
    page.keyboard.type("Ange", delay=40)
    page.locator("#id_ou__listbox li", has_text="Angers (49000)").first.wait_for()
    page.keyboard.type("r")  # its reply comes late
    page.locator("#id_ou__listbox li", has_text="Angers (49000)").first.click()
    assert page.input_value("#id_lieu") == "commune:49007"
    page.wait_for_timeout(2500)  # the late reply has come
    assert not page.locator("#id_ou__listbox li").first.is_visible()
    with page.expect_navigation():
        page.click("#bouton-rechercher", timeout=5000)
    assert page.locator("#nombre-resultats").inner_text().startswith("1 établissement — Angers (49000)")
