"""Helpers of the Chromium tests: read back the PDF a link serves (Chromium shows it in its viewer)."""

import os
import shutil
import subprocess

import pytest


def exiger_pdftotext() -> None:
    if not shutil.which("pdftotext"):
        if os.environ.get("ROR_REQUIRE_CHROMIUM"):  # CI installs poppler-utils: never skip there
            pytest.fail("pdftotext introuvable alors que ROR_REQUIRE_CHROMIUM est posé.")
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")


def lire_pdf_du_lien(page, nom_du_lien: str, dossier) -> str:
    """Click the link as a person does, keep a copy of the PDF the server sends, return its text."""
    recus = []

    def garder(route):
        reponse = route.fetch()
        recus.append(reponse.body())
        route.fulfill(response=reponse)

    def est_pdf(url):
        return url.endswith("/pdf/")

    page.route(est_pdf, garder)
    with page.expect_response(lambda r: r.headers.get("content-type") == "application/pdf", timeout=120_000):
        page.get_by_role("link", name=nom_du_lien).click()
    page.unroute(est_pdf)
    pdf = dossier / "fiche.pdf"
    pdf.write_bytes(recus[0])
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
