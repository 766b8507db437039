"""In Chromium: search, switch to the map, open a result, next, back to the results, export;
a fiche opened from the results exported as PDF."""

import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_recherche_carte_resultat_suivant_retour_export(live_server, page, connecter, region):
    connecter(region.consultant)
    page.goto(f"{live_server.url}/recherche/")
    # autocomplete of "Où ?" fills its suggestions
    page.fill("#id_ou", "Anger")
    page.wait_for_selector("#propositions-ou option", state="attached")
    assert page.locator("#propositions-ou option").first.get_attribute("value") == "Angers (49000)"
    page.fill("#id_ou", "Angers (49000)")
    page.dispatch_event("#id_ou", "input")
    assert page.input_value("#id_lieu") == "commune:49007"
    page.select_option("#id_rayon", "100")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    assert "ou=Angers" in page.url and "lieu=commune%3A49007" in page.url
    assert page.locator("#nombre-resultats").inner_text().startswith("2 établissements")
    assert page.locator(".ror-resultat h2").first.inner_text().startswith("EHPAD LES TILLEULS")

    # the map: one marker per establishment, with its number of units
    page.click("#vue-carte")
    page.wait_for_selector("#carte[data-pret='oui']")
    marqueurs = page.locator(".ror-marqueur--lieu, .ror-marqueur--groupe")
    assert sorted(marqueurs.all_inner_texts()) in (["1", "2"], ["3"])
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
    if not shutil.which("pdftotext"):
        if os.environ.get("ROR_REQUIRE_CHROMIUM"):  # CI installs poppler-utils: never skip there
            pytest.fail("pdftotext introuvable alors que ROR_REQUIRE_CHROMIUM est posé.")
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
    connecter(region.consultant)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Recherche").click()
    page.fill("#id_quoi", "réanimation")
    page.click("#bouton-rechercher")
    page.wait_for_load_state()
    page.locator(".ror-uos a", has_text="Réanimation adulte").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Réanimation adulte")

    # Chromium hands an inline PDF to its viewer: keep a copy of what the server sends
    recus = []

    def garder(route):
        reponse = route.fetch()
        recus.append(reponse.body())
        route.fulfill(response=reponse)

    page.route(lambda url: url.endswith("/pdf/"), garder)
    with page.expect_response(lambda r: r.headers.get("content-type") == "application/pdf"):
        page.get_by_role("link", name="Exporter en PDF").click()
    pdf = tmp_path / "fiche.pdf"
    pdf.write_bytes(recus[0])
    texte = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Réanimation adulte" in texte and "CH CHOLET" in texte
