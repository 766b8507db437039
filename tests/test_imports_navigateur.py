"""In Chromium: the gestionnaire uploads an extract, the progress bar (static JS polling the
real Celery worker) moves, then the page shows the report by itself."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from imports.generateur import generer

pytestmark = pytest.mark.django_db(transaction=True)


def test_televersement_barre_de_progression_puis_rapport(celery_worker, connecter, live_server, tmp_path):
    from tests.factories import construire_region

    region = construire_region()
    chemin = tmp_path / "etalab-cs1100507-stock-navigateur.csv"
    generer(chemin, departements={"53", "72"}, nombre_eg=40000)  # enough for the bar to move between two polls (0.5 s) on a fast machine
    page = connecter(region.gestionnaire)
    page.goto(f"{live_server.url}/imports/finess/")
    page.set_input_files("input[type=file]", str(chemin))
    page.get_by_role("button", name="Lancer l'import").click()
    page.wait_for_selector("#barre-progression")
    valeurs = set()
    for _ in range(600):
        if page.locator("#rapport").count():
            break
        try:
            if page.locator("#barre-progression").count():
                valeurs.add(page.eval_on_selector("#barre-progression", "b => b.value"))
        except PlaywrightError:  # the page went to the report between the two calls
            continue
        page.wait_for_timeout(100)
    page.wait_for_selector("#rapport", timeout=60_000)
    assert any(0 < v < 100 for v in valeurs), valeurs
    assert page.locator("#barre-progression").count() == 0  # the report replaced the bar
    bilan = page.locator("#bilan").inner_text().replace("\xa0", " ")
    assert "40 000\n\nétablissements lus" in bilan and "2\n\nfermés" in bilan
    page.get_by_role("link", name="Fermé", exact=True).click()  # filter the report: the closures
    fermes = page.locator("#rapport tbody").inner_text()
    assert "CH CHOLET" in fermes and "EHPAD LES TILLEULS" in fermes


def test_fichier_partiel_televerse_s_arrete_a_l_apercu_puis_annule_au_clic(celery_worker, connecter, live_server):
    """The gestionnaire uploads the real sample structures flux (départements 01 and 98): it
    does not cover the region, so the import stops at the preview, which says why and what
    would change; on a 390 px phone the gestionnaire clicks « Annuler l'import »: nothing
    was written."""
    from pathlib import Path

    from imports.models import ImportFiness
    from repertoire.models import Structure
    from tests.factories import construire_region

    region = construire_region()
    avant = list(Structure.objects.order_by("pk").values_list("pk", "nom", "etat", "version"))
    echantillon = (Path(__file__).resolve().parent.parent / "fixtures" / "finess" / "json"
                   / "sample-finess-structures-journalier-20260309.json")
    page = connecter(region.gestionnaire)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/imports/finess/")
    page.set_input_files("#id_fichier", str(echantillon))
    page.get_by_role("button", name="Lancer l'import").click()
    page.wait_for_selector("#apercu", timeout=120_000)
    motifs = page.locator("#motifs-confirmation").inner_text()
    assert "le fichier ne couvre que 0 département(s)" in motifs, motifs
    assert "Aperçu : rien n'a encore été modifié" in page.locator("#apercu").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    annuler = page.get_by_role("button", name="Annuler l'import")
    annuler.scroll_into_view_if_needed()
    assert annuler.is_visible()
    annuler.click()
    page.wait_for_load_state()
    assert "Import annulé : rien n'a été modifié" in page.content()
    assert ImportFiness.objects.get().statut == ImportFiness.Statut.ANNULE
    assert list(Structure.objects.order_by("pk").values_list("pk", "nom", "etat", "version")) == avant
