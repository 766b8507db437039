"""FHIR Bulk Data $export: asked with Prefer: respond-async, built by a real Celery worker, polled
through Content-Location, one NDJSON file per type (each line passes the guide's constraints),
kept for its token only, deleted on DELETE or once expired."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from interop.conformite import Verificateur
from interop.models import ExportFhir
from repertoire.models import PorteeJeton
from repertoire.services import jetons_api
from tests.interop_aides import client_api, valider
from tests.test_interop_fhir import donner_des_offres


def _attendre(api, url, limite=90):
    debut = time.monotonic()
    while True:
        reponse = api.get(url)
        if reponse.status_code != 202:
            return reponse
        assert reponse["X-Progress"] and reponse["Retry-After"]
        assert time.monotonic() - debut < limite, "export trop long"
        time.sleep(0.5)


def test_export_en_masse_asynchrone(celery_worker, client, region, settings, tmp_path):
    settings.FHIR_EXPORT_DIR = tmp_path / "exports_fhir"  # where the worker (MEDIA_ROOT=tmp_path/media) writes
    donner_des_offres(region)
    api = client_api(client, region)
    assert api.get("/fhir/$export").status_code == 400  # asynchronous only
    assert api.get("/fhir/$export?_type=Patient", HTTP_PREFER="respond-async").status_code == 400
    lance = api.get("/fhir/$export", HTTP_PREFER="respond-async")
    assert lance.status_code == 202
    statut = lance["Content-Location"]
    assert "/fhir/$export-status/" in statut
    fini = _attendre(api, statut)
    assert fini.status_code == 200, fini.content[:300]
    manifeste = fini.json()
    assert manifeste["requiresAccessToken"] is True and fini["Expires"]
    assert [s["type"] for s in manifeste["output"]] == ["Organization", "Location", "HealthcareService"]
    verificateur, lignes = Verificateur(), {}
    for sortie in manifeste["output"]:
        fichier = api.get(sortie["url"])
        assert fichier.status_code == 200 and fichier["Content-Type"] == "application/fhir+ndjson"
        ressources = [json.loads(ligne) for ligne in b"".join(fichier.streaming_content).decode().splitlines()]
        assert len(ressources) == sortie["count"]
        for ressource in ressources:
            assert ressource["resourceType"] == sortie["type"]
            valider(ressource)
            assert verificateur.verifier(ressource) == []
        lignes[sortie["type"]] = len(ressources)
    assert lignes == {"Organization": 4, "Location": 3, "HealthcareService": 3}
    # Another consumer's token sees nothing of it.
    _, autre = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Autre")
    assert client.get(statut, HTTP_AUTHORIZATION=f"Bearer {autre}").status_code == 404
    # Expired: gone.
    export = ExportFhir.objects.get()
    ExportFhir.objects.filter(pk=export.pk).update(expire_le=timezone.now() - timedelta(seconds=1))
    assert api.get(statut).status_code == 404
    ExportFhir.objects.filter(pk=export.pk).update(expire_le=timezone.now() + timedelta(hours=1))
    # DELETE removes it and its files.
    assert api.delete(statut).status_code == 202
    assert api.get(statut).status_code == 404 and not (tmp_path / "exports_fhir" / str(export.pk)).exists()
    # _since and _type narrow it.
    lance = api.get("/fhir/$export?_type=Location&_since=2999-01-01", HTTP_PREFER="respond-async")
    manifeste = _attendre(api, lance["Content-Location"]).json()
    assert [(s["type"], s["count"]) for s in manifeste["output"]] == [("Location", 0)]
