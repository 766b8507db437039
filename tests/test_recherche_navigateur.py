"""In Chromium: search, switch to the map, open a result, next, back to the results, export;
a fiche opened from the results exported as PDF."""

import pytest

from tests.aides_navigateur import exiger_pdftotext, lire_pdf_du_lien

pytestmark = pytest.mark.django_db(transaction=True)


def test_recherche_carte_resultat_suivant_retour_export(live_server, page, connecter, region):
    connecter(region.consultant)
    page.goto(f"{live_server.url}/recherche/")
    # "Où ?" suggests the commune; choosing it keeps its code
    page.click("#id_ou")
    page.keyboard.type("Anger")
    page.locator("#id_ou__listbox li", has_text="Angers (49000)").click()
    assert page.input_value("#id_ou") == "Angers (49000)" and page.input_value("#id_lieu") == "commune:49007"
    page.select_option("#id_rayon", "100")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    assert "ou=Angers" in page.url and "lieu=commune%3A49007" in page.url
    assert page.locator("#nombre-resultats").inner_text().startswith("2 établissements")
    assert page.locator(".ror-resultat h2 .ror-lien-eg").first.inner_text() == "EHPAD LES TILLEULS"

    # the map: one marker per establishment, with its number of units
    page.click("#vue-carte")
    page.wait_for_selector("#carte[data-pret='oui']")
    assert page.locator("#nombre-resultats").inner_text().startswith("2 établissements")  # the count stays
    marqueurs = page.locator(".ror-marqueur--lieu, .ror-marqueur--groupe")
    assert sorted(marqueurs.locator("span[aria-hidden=true]").all_inner_texts()) in (["1", "2"], ["3"])
    if marqueurs.count() == 1:  # clustered at this zoom: open the cluster
        marqueurs.first.click()
        page.wait_for_selector(".ror-marqueur--lieu")
    page.locator(".ror-marqueur--lieu", has_text="2").click()
    page.wait_for_selector(".ror-popup")
    assert "EHPAD LES TILLEULS" in page.locator(".ror-popup").inner_text()

    # back to the list, open a result, go to the next one, come back to the same results
    page.click("#vue-liste")
    page.wait_for_load_state()
    page.locator(".ror-uos a").first.click()
    page.wait_for_load_state()
    premier = page.locator("h1").inner_text()
    page.click("#resultat-suivant")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() != premier
    page.click("#retour-resultats")
    page.wait_for_load_state()
    assert "ou=Angers" in page.url and "rayon=100" in page.url
    assert page.locator("#nombre-resultats").inner_text().startswith("2 établissements")

    # export
    with page.expect_download() as telechargement:
        page.click("#export-csv")
    contenu = open(telechargement.value.path(), encoding="utf-8-sig").read()
    assert contenu.startswith("Établissement;FINESS ET;Unité opérationnelle")
    assert "CH CHOLET;490000049;Réanimation adulte" in contenu


def test_fiche_ouverte_depuis_la_recherche_exportee_en_pdf(live_server, page, connecter, region, tmp_path):
    exiger_pdftotext()
    connecter(region.consultant)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Recherche").click()
    page.fill("#id_quoi", "réanimation")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    page.locator(".ror-uos a", has_text="Réanimation adulte").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Réanimation adulte")
    texte = lire_pdf_du_lien(page, "Exporter en PDF", tmp_path)
    assert "Réanimation adulte" in texte and "CH CHOLET" in texte
