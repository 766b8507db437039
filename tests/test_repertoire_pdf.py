"""PDF export with WeasyPrint, checked by extracting its text (pdftotext)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from tests.factories import concept

pytestmark = pytest.mark.django_db


def texte_du_pdf(contenu: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
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
