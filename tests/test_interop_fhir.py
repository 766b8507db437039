"""The FHIR API: every resource served validates (fhir.resources, R4B), searches filter as a
consumer expects, bad input gets an OperationOutcome 400, no token 401."""

from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from interop import nos
from interop.fhir import PROFIL_HEALTHCARESERVICE, PROFIL_LOCATION, PROFIL_ORGANIZATION, pour_lecture, ressources
from repertoire.models import JetonApi, Niveau, PorteeJeton, Structure
from repertoire.services import droits, jetons_api, offre
from tests.factories import concept
from tests.interop_aides import client_api, construire_region_generee, valider

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, region):
    return client_api(client, region)


def _get(api, url, statut=200):
    reponse = api.get(url)
    assert reponse.status_code == statut, reponse.content[:500]
    assert reponse["Content-Type"].startswith("application/fhir+json")
    return reponse.json()


def _ids(bundle):
    return {int(e["resource"]["id"]) for e in bundle.get("entry", [])}


def test_sans_jeton_401_et_jeton_revoque_401(client, region):
    reponse = client.get("/fhir/HealthcareService")
    assert reponse.status_code == 401
    assert reponse.json()["resourceType"] == "OperationOutcome"
    assert "Bearer" in reponse["WWW-Authenticate"]
    jeton, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Santé.fr")
    assert client.get("/fhir/HealthcareService", HTTP_AUTHORIZATION=f"Bearer {clair}").status_code == 200
    jetons_api.revoquer_jeton(region.gestionnaire, jeton)
    assert client.get("/fhir/HealthcareService", HTTP_AUTHORIZATION=f"Bearer {clair}").status_code == 401
    assert client.get("/fhir/HealthcareService", HTTP_AUTHORIZATION="Bearer ror_invente").status_code == 401


def test_le_jeton_n_est_pas_stocke_en_clair(region):
    _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "SAS")
    stocke = JetonApi.objects.get()
    assert clair not in (stocke.empreinte, stocke.prefixe) and len(stocke.empreinte) == 64


def test_organization_eg_partof_ej_avec_identifiants(api, region):
    eg = _get(api, f"/fhir/Organization/{region.ehpad.pk}")
    valider(eg)
    assert eg["meta"]["profile"] == [PROFIL_ORGANIZATION]
    assert eg["partOf"]["reference"] == f"Organization/{region.ej.pk}"
    finess = [i for i in eg["identifier"] if i["system"] == "https://finess.esante.gouv.fr"]
    assert finess[0]["value"] == "490000023" and finess[0]["type"]["coding"][0]["code"] == "1"
    assert eg["type"][0]["coding"][0] == {"system": nos.url_tre("TRE_R66-CategorieEtablissement"), "code": "500",
                                          "display": concept("J55", "500").libelle}
    ej = _get(api, f"/fhir/Organization/{region.ej.pk}")
    valider(ej)
    assert {"type": "SIREN", "value": "123456789"} in [
        {"type": i["type"]["coding"][0]["display"], "value": i["value"]} for i in ej["identifier"]]
    assert "partOf" not in ej


def test_healthcareservice_et_location_de_la_reanimation(api, region):
    hs = _get(api, f"/fhir/HealthcareService/{region.uo_rea.pk}")
    valider(hs)
    assert hs["meta"]["profile"] == [PROFIL_HEALTHCARESERVICE]
    assert hs["providedBy"]["reference"] == f"Organization/{region.ch.pk}"
    assert hs["specialty"][0]["coding"][0]["system"] == ("https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle"
                                                          "/FHIR/TRE-R211-ActiviteOperationnelle")
    assert hs["type"][0]["coding"][0]["system"].endswith("/TRE-R227-ChampActivite")
    patient = [e for e in hs["extension"] if e["url"].endswith("ror-healthcareservice-patient-type")][0]
    age = [e for e in patient["extension"] if e["url"] == "ageRange"][0]["valueRange"]
    assert (age["low"]["value"], age["high"]["value"]) == (18, 120)
    loc = _get(api, f"/fhir/Location/{region.uo_rea.pk}")
    valider(loc)
    assert loc["meta"]["profile"] == [PROFIL_LOCATION]
    capacite = [e for e in loc["extension"] if e["url"].endswith("ror-location-supported-capacity")][0]
    valeurs = {e["url"]: e for e in capacite["extension"]}
    assert valeurs["nbCapacity"]["valueInteger"] == 12
    assert valeurs["capacityStatus"]["valueCodeableConcept"]["coding"][0]["code"] == "01"  # installé
    assert loc["position"] == {"latitude": 47.06, "longitude": -0.88}  # the EG's, the UO has none


def test_lecture_introuvable_ou_mauvais_niveau_404(api, region):
    for url in (f"/fhir/HealthcareService/{region.ehpad.pk}", "/fhir/Organization/999999999",
                "/fhir/Organization/abc", "/fhir/Patient/1", "/fhir/Patient"):
        assert _get(api, url, 404)["resourceType"] == "OperationOutcome"


def test_validation_de_chaque_ej_eg_uo_d_une_region_generee(api, region):
    construire_region_generee(nb_eg=15)
    structures = Structure.objects.filter(niveau__in=[Niveau.EJ, Niveau.EG, Niveau.UO])
    vus = 0
    for type_ressource, niveaux in (("Organization", [Niveau.EJ, Niveau.EG]), ("HealthcareService", [Niveau.UO]),
                                    ("Location", [Niveau.UO])):
        attendus = set(structures.filter(niveau__in=niveaux).values_list("pk", flat=True))
        obtenus = set()
        url = f"/fhir/{type_ressource}?_count=7"
        while url:
            bundle = _get(api, url)
            valider(bundle)
            assert bundle["total"] == len(attendus)
            for entree in bundle.get("entry", []):
                valider(entree["resource"])
                obtenus.add(int(entree["resource"]["id"]))
                vus += 1
            url = next((l["url"] for l in bundle["link"] if l["relation"] == "next"), None)
        assert obtenus == attendus, type_ressource
    assert vus > 60


def test_codes_nos_d_une_uo_riche(api, region):
    uo = [s for s in construire_region_generee(nb_eg=2) if s.niveau == Niveau.UO][0]
    hs = _get(api, f"/fhir/HealthcareService/{uo.pk}")
    systemes = {c["coding"][0]["system"] for c in hs["characteristic"]}
    assert nos.url_tre("TRE_R213-ModePriseEnCharge") in systemes
    assert nos.url_tre("TRE_R210-ActeSpecifique") in systemes
    assert nos.url_tre("TRE_R338-ModaliteAccueil") in systemes
    actes = [c for c in hs["characteristic"] if c["coding"][0]["system"].endswith("TRE-R210-ActeSpecifique")]
    assert actes[0]["extension"][0]["valueCode"] == "specificAct"
    zones = [e for e in hs["extension"] if e["url"].endswith("ror-territorial-division")]
    assert len(zones) == 3


def test_recherche_healthcareservice_par_specialty_categorie_characteristic_age(api, region):
    systeme = nos.url_tre("TRE_R211-ActiviteOperationnelle")
    assert _ids(_get(api, f"/fhir/HealthcareService?specialty={systeme}|127")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?specialty=293")) == {region.uo_hp.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?specialty=https://autre.example|127")) == set()
    assert _ids(_get(api, "/fhir/HealthcareService?service-category=21")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?service-type=01")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=ge60")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=lt60&age-range-high=ge100")) == {region.uo_rea.pk}
    hc = concept("R213", "01")
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"modes_prise_en_charge": [hc]}, raison="test")
    assert _ids(_get(api, f"/fhir/HealthcareService?characteristic={nos.url_systeme(hc.systeme)}|01")) == {
        region.uo_aj.pk}


def test_recherche_par_zone_d_intervention(api, region):
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"territoire": ["49007", "49099"]}, raison="test")
    assert _ids(_get(api, "/fhir/HealthcareService?intervention-zone=49099")) == {region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?intervention-zone=44109")) == set()


def test_recherche_last_updated_et_pages(api, region):
    avant = timezone.now()
    offre.modifier_structure(None, region.uo_rea, {"nom": "Réanimation polyvalente"}, raison="test")
    horodatage = avant.astimezone(dt_timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    bundle = _get(api, f"/fhir/HealthcareService?_lastUpdated=ge{horodatage}")
    assert _ids(bundle) == {region.uo_rea.pk} and bundle["total"] == 1
    assert _ids(_get(api, f"/fhir/HealthcareService?_lastUpdated=lt{horodatage}")) == {region.uo_hp.pk,
                                                                                         region.uo_aj.pk}
    jour = timezone.localdate().isoformat()
    assert len(_ids(_get(api, f"/fhir/HealthcareService?_lastUpdated={jour}"))) == 3
    page1 = _get(api, "/fhir/HealthcareService?_count=2")
    assert page1["total"] == 3 and len(page1["entry"]) == 2
    suivant = [l["url"] for l in page1["link"] if l["relation"] == "next"][0]
    page2 = _get(api, suivant)
    assert len(page2["entry"]) == 1 and not [l for l in page2["link"] if l["relation"] == "next"]
    assert _ids(page1) | _ids(page2) == {region.uo_hp.pk, region.uo_aj.pk, region.uo_rea.pk}


def test_recherche_location_near_insee_code_et_capacity_status(api, region):
    # Angers (49007) – Cholet (49099): about 50 km.
    assert _ids(_get(api, "/fhir/Location?near-insee-code=49007|10|km")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/Location?near-insee-code=49007|80|km")) == {
        region.uo_hp.pk, region.uo_aj.pk, region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/Location?capacity-status=01")) == {region.uo_rea.pk}
    statut = nos.TRE_R330
    assert _ids(_get(api, f"/fhir/Location?capacity-status={statut}|01&near-insee-code=49099|5|km")) == {
        region.uo_rea.pk}


def test_recherche_organization_par_identifiant_et_nom(api, region):
    assert _ids(_get(api, "/fhir/Organization?identifier=https://finess.esante.gouv.fr|490000049")) == {region.ch.pk}
    assert _ids(_get(api, "/fhir/Organization?identifier=123456789")) == {region.ej.pk}
    assert _ids(_get(api, "/fhir/Organization?name=ehpad")) == {region.ehpad.pk}
    assert _ids(_get(api, "/fhir/Organization?name:contains=tilleuls")) == {region.ej.pk, region.ehpad.pk}
    assert _ids(_get(api, f"/fhir/Organization?partof=Organization/{region.autre_ej.pk}")) == {region.ch.pk}


@pytest.mark.parametrize("requete", [
    "HealthcareService?inconnu=1", "HealthcareService?_lastUpdated=hier", "HealthcareService?_lastUpdated=ge2026-13-40",
    "HealthcareService?_count=201", "HealthcareService?_count=-1", "HealthcareService?age-range-low=abc",
    "HealthcareService?age-range-low=ap60", "HealthcareService?intervention-zone=Angers",
    "HealthcareService?_curseur=%%%", "HealthcareService?_count=2&_count=3", "HealthcareService?specialty=",
    "Location?near-insee-code=99999|10|km", "Location?near-insee-code=49007|loin|km",
    "Location?near-insee-code=49007|10|parsecs", "Location?near-insee-code=49007|5000|km",
    "Location?capacity-status=99", "Location?specialty=127", "Organization?_id=abc", "Organization?partof=x",
])
def test_parametres_invalides_operation_outcome_400(api, region, requete):
    bundle = _get(api, f"/fhir/{requete}", 400)
    valider(bundle)
    assert bundle["issue"][0]["diagnostics"]


def test_api_en_lecture_seule(api, region):
    reponse = api.post("/fhir/HealthcareService", {}, content_type="application/fhir+json")
    assert reponse.status_code == 405 and reponse.json()["resourceType"] == "OperationOutcome"


def test_metadata_publique_et_valide(client, db):
    capability = client.get("/fhir/metadata").json()
    valider(capability)
    assert {r["type"] for r in capability["rest"][0]["resource"]} == {"Organization", "HealthcareService", "Location"}


def test_validation_de_chaque_ej_eg_uo_de_la_region_de_demo(api):
    """The whole demo region (~3,000 EG): every EJ, EG and UO mapped and validated."""
    from demo.region import generer

    generer()
    for type_ressource, niveaux in (("Organization", [Niveau.EJ, Niveau.EG]), ("HealthcareService", [Niveau.UO]),
                                    ("Location", [Niveau.UO])):
        queryset, _ = pour_lecture(type_ressource)
        ids = list(queryset.filter(niveau__in=niveaux).order_by("pk").values_list("pk", flat=True))
        assert len(ids) > 1000
        valides = 0
        for debut in range(0, len(ids), 500):
            lot = list(queryset.filter(pk__in=ids[debut:debut + 500]))
            for ressource in ressources(type_ressource, lot):
                valider(ressource)
                valides += 1
        assert valides == len(ids), type_ressource
        bundle = _get(api, f"/fhir/{type_ressource}?_count=200")  # and one full page through the API
        valider(bundle)
        assert bundle["total"] == len(ids) and len(bundle["entry"]) == 200


def test_last_updated_avec_fuseau_non_encode(api, region):
    # "+01:00" typed as is in a URL arrives as " 01:00": read as the offset it means.
    assert len(_ids(_get(api, "/fhir/HealthcareService?_lastUpdated=ge2000-01-01T00:00:00+01:00"))) == 3
    assert _ids(_get(api, "/fhir/HealthcareService?_lastUpdated=ge2999-01-01T00:00:00%2B01:00")) == set()


def test_lits_disponibles_saisis_servis_en_location(api, region):
    from disponibilites.services.saisie_lits import LigneSaisie, saisir_lits

    assert _ids(_get(api, "/fhir/Location?capacity-status=02")) == set()
    droits.accorder_droit(region.gestionnaire, region.referent_autre, "saisie_lits", region.ch)
    saisir_lits(region.referent_autre, [LigneSaisie(uo=region.uo_rea, disponibles=3, supplementaires=None,
                                                    fermes=None)])
    bundle = _get(api, "/fhir/Location?capacity-status=02")
    assert _ids(bundle) == {region.uo_rea.pk}
    loc = bundle["entry"][0]["resource"]
    capacites = [e for e in loc["extension"] if e["url"].endswith("ror-location-supported-capacity")]
    disponibles = [c for c in capacites if any(
        v.get("valueCodeableConcept", {}).get("coding", [{}])[0].get("code") == "02" for v in c["extension"])]
    assert disponibles and "3" in str(disponibles[0])
