"""An anonymous crawl of the public portal with a sensitive unit and a formula-named unit in the
data: every URL the permission matrix lists as open to anonymous visitors, every local link those
pages lead to (one level), the error pages (403, 404) and the API's refusals. The sensitive unit
appears nowhere, the formula is never a live cell in a CSV, nothing answers 500."""

import csv
import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from interop import opendata
from repertoire.models import Structure
from tests.test_matrice_droits import ATTENTES
from tests.test_interop_fhir import donner_des_offres

pytestmark = pytest.mark.django_db

FORMULE = '=HYPERLINK("http://x";"Cliquez")'
SENSIBLE = "Refuge Discret des Lilas"
LIENS = re.compile(r'(?:href|src|action)="(/[^"#]*)"')


def _contenu(reponse) -> bytes:
    return b"".join(reponse.streaming_content) if reponse.streaming else reponse.content


def _verifier(url, reponse):
    assert reponse.status_code < 500, f"{url} : {reponse.status_code}"
    corps = _contenu(reponse)
    texte = corps.decode("utf-8-sig", errors="replace")
    assert "Refuge Discret" not in texte, f"unité sensible visible sur {url}"
    assert "chemin secret" not in texte and "47.111111" not in texte, f"adresse sensible visible sur {url}"
    if reponse.get("Content-Type", "").startswith("text/csv"):
        cellules = [c for ligne in csv.reader(io.StringIO(texte), delimiter=";") for c in ligne]
        assert FORMULE not in cellules and not any(c.startswith(("=", "+", "-", "@")) for c in cellules), url
    return texte


def test_parcours_anonyme_de_toutes_les_pages_publiques(region):
    donner_des_offres(region)
    Structure.objects.filter(pk=region.uo_aj.pk).update(unite_sensible=True, nom=SENSIBLE, voie="chemin secret",
                                                        latitude=47.111111, longitude=-0.5)
    Structure.objects.filter(pk=region.uo_rea.pk).update(nom=FORMULE)
    opendata.produire()
    client = Client(raise_request_exception=False)  # a 500 is an answer to see, not an exception

    depart = []
    for attente in ATTENTES:
        if attente.methode == "get" and attente.anonyme == 200:
            url = reverse(attente.nom, kwargs=attente.kwargs(region))
            depart.append(url + ("?" + attente.query if attente.query else ""))
    for indispensable in ("/", "/opendata/", "/opendata/offre.csv", "/opendata/offre.json", "/connexion/",
                          "/fhir/metadata"):
        assert indispensable in depart, indispensable
    depart += ["/page-qui-n-existe-pas/", f"/repertoire/{region.uo_aj.pk}/", f"/fhir/Location/{region.uo_aj.pk}",
               "/fhir/HealthcareService?name=refuge", "/opendata/inconnu.csv", "/media/opendata/offre-ror.csv"]

    vues, a_voir, csv_vus = set(), list(depart), 0
    while a_voir and len(vues) < 300:
        url = a_voir.pop(0)
        if url in vues or url.startswith("/static/"):
            continue
        vues.add(url)
        reponse = client.get(url)
        texte = _verifier(url, reponse)
        csv_vus += reponse.get("Content-Type", "").startswith("text/csv")
        if url in depart and reponse.get("Content-Type", "").startswith("text/html"):
            for lien in LIENS.findall(texte):
                cible = urlsplit(urljoin(url, lien.replace("&amp;", "&")))
                if not cible.path.startswith(("/static/", "/admin/")) and "deconnexion" not in cible.path:
                    a_voir.append(cible.path + (f"?{cible.query}" if cible.query else ""))
    assert csv_vus >= 1 and len(vues) > len(depart)
    # The formula unit is in the open data, neutralised (a cell starting with a quote).
    brut = _contenu(client.get("/opendata/offre.csv")).decode("utf-8-sig")
    assert "'" + FORMULE in [c for ligne in csv.reader(io.StringIO(brut), delimiter=";") for c in ligne]

    # The error pages themselves: 403 (CSRF refused), 404, FHIR 401 without a token.
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    refus = strict.post("/connexion/", {"username": "x", "password": "y"})
    assert refus.status_code == 403
    _verifier("403", refus)
    assert client.get("/page-qui-n-existe-pas/").status_code == 404
    assert client.get("/fhir/HealthcareService").status_code == 401
