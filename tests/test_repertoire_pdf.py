"""PDF export with WeasyPrint, checked by extracting its text (pdftotext)."""

import subprocess

import pytest
from django.urls import reverse

from tests.aides_navigateur import exiger_pdftotext
from tests.factories import concept

pytestmark = pytest.mark.django_db


def texte_du_pdf(contenu: bytes, tmp_path) -> str:
    exiger_pdftotext()  # fails, never skips, where CI has ROR_REQUIRE_CHROMIUM set
    chemin = tmp_path / "fiche.pdf"
    chemin.write_bytes(contenu)
    return subprocess.run(["pdftotext", "-layout", str(chemin), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_d_une_uo_contient_nom_eg_et_activites(client, region, tmp_path):
    client.force_login(region.consultant)
    reponse = client.get(reverse("repertoire:pdf", args=[region.uo_rea.pk]))
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    texte = texte_du_pdf(reponse.content, tmp_path)
    assert "Réanimation adulte" in texte
    assert "CH CHOLET" in texte
    assert concept("J17", "127").libelle[:40] in " ".join(texte.split())
    assert "Lits installés" in texte


def test_pdf_d_une_eg_avec_toutes_ses_uo(client, region, tmp_path):
    client.force_login(region.consultant)
    reponse = client.get(reverse("repertoire:pdf", args=[region.ehpad.pk]))
    texte = texte_du_pdf(reponse.content, tmp_path)
    assert "EHPAD LES TILLEULS" in texte and "Hébergement permanent" in texte and "Accueil de jour" in texte
    info = subprocess.run(["pdfinfo", "-"], input=reponse.content, capture_output=True).stdout.decode()
    if info:
        assert "(A4)" in info  # A4


@pytest.mark.django_db(transaction=True)
def test_pdf_d_une_eg_avec_beaucoup_d_unites_produit_par_une_tache_avec_progression(
        celery_worker, client, region, settings, tmp_path):
    """Beyond the threshold, a page shows the progress (polled), opens the PDF when the real
    worker has made it, and keeps it until the fiche changes."""
    import time

    from repertoire.services import offre

    settings.ROR_PDF_SEUIL_ASYNCHRONE = 1  # the EHPAD has 2 units
    client.force_login(region.consultant)
    url = reverse("repertoire:pdf", args=[region.ehpad.pk])
    attente = client.get(url)
    assert attente["Content-Type"].startswith("text/html")
    html = attente.content.decode()
    assert "PDF de EHPAD LES TILLEULS" in html and 'hx-trigger="every 2s"' in html and "<progress" in html
    limite = time.monotonic() + 120
    while True:
        etat = client.get(url, HTTP_HX_REQUEST="true")
        if etat.get("HX-Redirect"):
            break
        assert time.monotonic() < limite, etat.content.decode()
        time.sleep(0.5)
    assert etat["HX-Redirect"] == url and "Le PDF est prêt." in etat.content.decode()
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    texte = texte_du_pdf(pdf.content, tmp_path)
    assert "EHPAD LES TILLEULS" in texte and "Accueil de jour" in texte and "Hébergement permanent" in texte
    assert client.get(url)["Content-Type"] == "application/pdf"  # kept
    offre.modifier_structure(region.gestionnaire, region.uo_aj, {"telephone": "02 41 99 99 99"}, raison="test")
    assert client.get(url)["Content-Type"].startswith("text/html")  # the fiche changed: made again


def test_weasyprint_ne_sert_que_les_fichiers_statiques_du_portail(region, monkeypatch):
    """The review's point: WeasyPrint's default fetcher reads any URL (network, file://), relative
    ones against the Host header. Only the portal's static files may come in."""
    import http.server
    import threading

    from repertoire import pdf

    appels = []

    class Espion(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            appels.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    serveur = http.server.HTTPServer(("127.0.0.1", 0), Espion)
    threading.Thread(target=serveur.serve_forever, daemon=True).start()
    adresse = f"http://127.0.0.1:{serveur.server_port}"
    page = (f'<link rel="stylesheet" href="{adresse}/style.css"><img src="{adresse}/x.png">'
            '<img src="file:///etc/passwd"><img src="/static/../../../etc/passwd"><p>Fiche</p>')
    monkeypatch.setattr(pdf, "render_to_string", lambda *a, **k: page)
    try:
        assert pdf.fiche_pdf(region.uo_rea).startswith(b"%PDF")
    finally:
        serveur.shutdown()
    assert appels == []

    lecteur = pdf.FichiersStatiques()
    servi = lecteur.fetch(pdf.BASE_PDF + "static/ror/js/leaflet-fr.js")
    assert servi.read() and servi.content_type in ("text/javascript", "application/javascript")
    for refusee in ("file:///etc/passwd", f"{adresse}/static/ror/js/leaflet-fr.js",
                    pdf.BASE_PDF + "static/../../etc/passwd", pdf.BASE_PDF + "static/%2e%2e/%2e%2e/etc/passwd",
                    pdf.BASE_PDF + "media/pdf/x.pdf", pdf.BASE_PDF + "static/inexistant.css"):
        with pytest.raises(ValueError):
            lecteur.fetch(refusee)


def test_le_pdf_ecrit_l_adresse_avec_son_type_de_voie(client, region, tmp_path):
    from repertoire.models import Structure
    Structure.objects.filter(pk=region.ehpad.pk).update(numero_voie="5", type_voie=concept("J219", "RUE"),
                                                        voie="des Lilas")
    client.force_login(region.consultant)
    texte = texte_du_pdf(client.get(reverse("repertoire:pdf", args=[region.ehpad.pk])).content, tmp_path)
    assert "5 Rue des Lilas" in texte
