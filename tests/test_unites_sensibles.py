"""Sensitive units (`unite_sensible`, « accès très restreint » for the ANS): never in the open data,
in FHIR only for the tokens whose ANS profile is 1 or 4 (ansforge/ROR-fhir-documentation,
docs/pages/guide/acces-donnees/vue-ensemble.md @ 51b6bfbc0545565d4e9e435849e1fbd2a98f1d33), through
every path: search, read, _include/_revinclude, $export; not pushed to ViaTrajectoire beyond its profile."""

import json

import pytest
from django.urls import reverse

from interop import export, opendata, viatrajectoire
from interop.models import ChangementSync, ExportFhir
from repertoire.models import Niveau, PorteeJeton, ProfilAcces, Structure
from repertoire.services import jetons_api
from tests.test_interop_fhir import donner_des_offres

pytestmark = pytest.mark.django_db

NOM_SENSIBLE = "Foyer d'accueil Refuge Discret"


@pytest.fixture
def sensible(region):
    """The day care becomes a sensitive unit with its own address and position (a shelter)."""
    donner_des_offres(region)
    Structure.objects.filter(pk=region.uo_aj.pk).update(unite_sensible=True, nom=NOM_SENSIBLE, voie="chemin caché",
                                                        latitude=47.123456, longitude=-0.654321)
    return Structure.objects.get(pk=region.uo_aj.pk)


def _client(client, region, profil):
    _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, f"Profil {profil}", profil_acces=profil)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {clair}"
    return client


def _tout_ce_que_voit(api, uo) -> str:
    """Everything a consumer can fetch about the offer, as one text."""
    textes = []
    for url in ["/fhir/HealthcareService", "/fhir/Location", "/fhir/Organization",
                "/fhir/HealthcareService?_include=HealthcareService:location&_include=HealthcareService:organization",
                "/fhir/Location?_revinclude=HealthcareService:location&_include=Location:organization",
                f"/fhir/Organization?_id={uo.eg_id}&_revinclude=HealthcareService:organization",
                "/fhir/HealthcareService?name=refuge", "/fhir/HealthcareService?_summary=count"]:
        reponse = api.get(url)
        assert reponse.status_code == 200, (url, reponse.content[:300])
        textes.append(reponse.content.decode())
    return "\n".join(textes)


@pytest.mark.parametrize("profil", [ProfilAcces.LIBRE, ProfilAcces.HORS_TRES_RESTREINT, ProfilAcces.MEDICO_SOCIAL,
                                    ProfilAcces.HORS_CAPACITAIRE])
def test_fhir_cache_les_unites_sensibles_aux_autres_profils(client, region, sensible, profil):
    api = _client(client, region, profil)
    tout = _tout_ce_que_voit(api, sensible)
    assert NOM_SENSIBLE not in tout and "chemin caché" not in tout and "47.123456" not in tout
    assert f"Location/{sensible.pk}" not in tout and f'"id":"{sensible.pk}-' not in tout
    total = api.get("/fhir/HealthcareService?_summary=count").json()["total"]
    assert total == 2  # the other two units' offers
    # Read: the same 404 as a unit that does not exist.
    assert api.get(f"/fhir/Location/{sensible.pk}").status_code == 404
    offre = f"{sensible.pk}-294-47"
    assert api.get(f"/fhir/HealthcareService/{offre}").status_code == 404
    assert api.get(f"/fhir/Location/{region.uo_rea.pk}").status_code == 200


@pytest.mark.parametrize("profil", [ProfilAcces.TOUT, ProfilAcces.HORS_CONTACTS])
def test_fhir_montre_les_unites_sensibles_aux_profils_1_et_4(client, region, sensible, profil):
    api = _client(client, region, profil)
    assert NOM_SENSIBLE in _tout_ce_que_voit(api, sensible)
    assert api.get(f"/fhir/Location/{sensible.pk}").status_code == 200
    assert api.get("/fhir/HealthcareService?_summary=count").json()["total"] == 3


@pytest.mark.parametrize("profil,vus", [(ProfilAcces.HORS_TRES_RESTREINT, 2), (ProfilAcces.TOUT, 3), (None, 2)])
def test_export_en_masse_suit_le_profil_du_jeton(region, sensible, settings, tmp_path, profil, vus):
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    jeton = None
    if profil is not None:  # None: the token was deleted meanwhile, the strictest profile applies
        jeton, _ = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Bulk", profil_acces=profil)
    demande = ExportFhir.objects.create(jeton=jeton, demande="/fhir/$export", types=list(export.TYPES))
    export.executer(demande.pk)
    demande.refresh_from_db()
    assert {f["type"]: f["nombre"] for f in demande.fichiers}["Location"] == vus
    contenu = "".join(export.fichier(demande, t).read_text() for t in export.TYPES)
    assert (NOM_SENSIBLE in contenu) == (vus == 3)


def test_viatrajectoire_ne_recoit_pas_une_unite_sensible_hors_profil(region, sensible, settings):
    changement = ChangementSync(cle="essai", structure_id=sensible.pk, eg_id=sensible.eg_id, niveau=Niveau.UO,
                                date_changement=sensible.modifie_le)
    settings.VIATRAJECTOIRE_PROFIL_ACCES = ProfilAcces.HORS_TRES_RESTREINT
    message = json.dumps(viatrajectoire.message(changement), ensure_ascii=False)
    assert NOM_SENSIBLE not in message and f'"DELETE", "url": "Location/{sensible.pk}"' in message
    settings.VIATRAJECTOIRE_PROFIL_ACCES = ProfilAcces.TOUT
    assert NOM_SENSIBLE in json.dumps(viatrajectoire.message(changement), ensure_ascii=False)


def test_opendata_n_a_jamais_d_unite_sensible(client, region, sensible):
    opendata.produire()
    for url in ("/opendata/offre.csv", "/opendata/offre.json"):
        reponse = client.get(url)
        assert reponse.status_code == 200
        contenu = b"".join(reponse.streaming_content).decode("utf-8-sig")
        assert NOM_SENSIBLE not in contenu and "chemin caché" not in contenu and "47.123456" not in contenu
        assert str(region.uo_hp.pk) in contenu


def test_les_pages_de_recherche_et_les_fiches_sont_reservees_aux_connectes(client, region, sensible):
    for url in (reverse("repertoire:fiche", args=[sensible.pk]), reverse("recherche:recherche") + "?q=refuge",
                reverse("recherche:export_csv") + "?q=refuge"):
        reponse = client.get(url)
        assert reponse.status_code == 302 and "/connexion/" in reponse["Location"]
    client.force_login(region.consultant)  # a logged-in professional sees it
    assert "Refuge Discret" in client.get(reverse("repertoire:fiche", args=[sensible.pk])).content.decode()


@pytest.mark.parametrize("profil,vu", [(ProfilAcces.HORS_TRES_RESTREINT, False), (ProfilAcces.TOUT, True)])
def test_le_responsable_d_une_unite_sensible_suit_le_meme_filtre(client, region, sensible, profil, vu):
    from repertoire.models import Contact

    contact = Contact.objects.create(structure=sensible, nom="Martin", prenom="Claire", est_responsable=True)
    api = _client(client, region, profil)
    roles = api.get("/fhir/PractitionerRole").content.decode() + api.get("/fhir/Practitioner").content.decode()
    assert (f"{sensible.pk}-" in roles or "Martin" in roles) == vu
    assert (api.get(f"/fhir/Practitioner/{contact.pk}").status_code == 200) == vu
