"""FHIR Bulk Data $export: asked with Prefer: respond-async, built by a real Celery worker, polled
through Content-Location, one NDJSON file per type (each line passes the guide's constraints),
kept for its token only, deleted on DELETE or once expired."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from interop import export as bulk
from interop.conformite import Verificateur
from interop.models import ExportFhir
from repertoire.models import JetonApi, PorteeJeton
from repertoire.services import jetons_api
from tests.interop_aides import client_api, valider
from tests.test_interop_fhir import api, donner_des_offres  # noqa: F401 (fixture)
from tests.test_interop_fhir_personnes import personnes  # noqa: F401 (fixture)


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
    assert [s["type"] for s in manifeste["output"]] == ["Organization", "Location", "HealthcareService",
                                                        "Practitioner", "PractitionerRole"]
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
    assert lignes == {"Organization": 4, "Location": 3, "HealthcareService": 3, "Practitioner": 0,
                      "PractitionerRole": 0}
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


@pytest.mark.django_db
def test_export_des_personnes(api, region, personnes, settings, tmp_path):  # noqa: F811
    """The unit's responsable and the EG's director as Practitioner, the responsable's role per offer as
    PractitionerRole: the same resources as the API serves, each passing the guide's constraints; a
    sensitive unit's responsable only for a profile that may see the unit."""
    settings.FHIR_EXPORT_DIR = tmp_path
    responsable, _, directeur = personnes

    def exporter():
        demande = ExportFhir.objects.create(jeton=JetonApi.objects.get(), demande="/fhir/$export",
                                            types=list(bulk.PERSONNES))
        bulk.executer(demande.pk)
        demande.refresh_from_db()
        return {f["type"]: [json.loads(ligne) for ligne in bulk.fichier(demande, f["type"]).read_text().splitlines()]
                for f in demande.fichiers}

    lus = exporter()
    assert sorted(r["id"] for r in lus["Practitioner"]) == sorted([str(responsable.pk), str(directeur.pk)])
    assert [r["id"] for r in lus["PractitionerRole"]] == [f"{responsable.pk}-{region.uo_rea.pk}-127-28"]
    verificateur = Verificateur()
    for type_ressource, ressources in lus.items():
        for ressource in ressources:
            valider(ressource)
            assert verificateur.verifier(ressource) == []
            assert ressource == api.get(f"/fhir/{type_ressource}/{ressource['id']}").json()
    region.uo_rea.__class__.objects.filter(pk=region.uo_rea.pk).update(unite_sensible=True)
    JetonApi.objects.update(profil_acces=2)
    lus = exporter()
    assert [r["id"] for r in lus["Practitioner"]] == [str(directeur.pk)] and lus["PractitionerRole"] == []
