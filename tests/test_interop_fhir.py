"""The FHIR API: every resource served validates (fhir.resources, R4B), searches filter as a
consumer expects, bad input gets an OperationOutcome 400, no token 401."""

import math
from datetime import timezone as dt_timezone

import pytest
from django.conf import settings
from django.utils import timezone

from interop import nos
from interop.fhir import (DESCRIPTION_FERMETURE, PROFIL_HEALTHCARESERVICE, PROFIL_LOCATION, PROFIL_ORGANIZATION,
                          SYSTEME_OFFRE)
from repertoire.models import JetonApi, Niveau, PorteeJeton, Structure
from repertoire.services import droits, jetons_api, offre
from tests.factories import concept
from tests.interop_aides import client_api, construire_region_generee, valider

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, region):
    donner_des_offres(region)
    return client_api(client, region)


def donner_des_offres(region):
    """An offer is (activity, mode): the shared region's units get a mode, the day care an activity."""
    offre.modifier_structure(None, region.uo_hp, {}, m2m={"modes_prise_en_charge": [concept("R213", "46")]},
                             raison="test")
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"modes_prise_en_charge": [concept("R213", "47")],
                                                        "activites": [concept("J17", "294")]}, raison="test")
    offre.modifier_structure(None, region.uo_rea, {}, m2m={"modes_prise_en_charge": [concept("R213", "28")]},
                             raison="test")


def _get(api, url, statut=200):
    reponse = api.get(url)
    assert reponse.status_code == statut, reponse.content[:500]
    assert reponse["Content-Type"].startswith("application/fhir+json")
    return reponse.json()


def _ids(bundle):
    """The structures behind the matches (an offer's id starts with its unit's)."""
    return {int(e["resource"]["id"].split("-")[0]) for e in bundle.get("entry", []) if e["search"]["mode"] == "match"}


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
    hs = _get(api, f"/fhir/HealthcareService/{region.uo_rea.pk}-127-28")
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
    assert valeurs["capacityStatus"]["valueCode"] == "01"  # installé
    assert valeurs["temporaryAssignement"]["valueCodeableConcept"]["coding"][0]["code"] == "01"
    assert loc["position"] == {"latitude": 47.06, "longitude": -0.88}  # the EG's, the UO has none


def test_lecture_introuvable_ou_mauvais_niveau_404(api, region):
    for url in (f"/fhir/HealthcareService/{region.ehpad.pk}", f"/fhir/HealthcareService/{region.uo_rea.pk}",
                f"/fhir/HealthcareService/{region.uo_rea.pk}-127-29", "/fhir/Organization/999999999",
                "/fhir/Organization/abc", "/fhir/Patient/1", "/fhir/Patient"):
        assert _get(api, url, 404)["resourceType"] == "OperationOutcome"


def test_validation_de_chaque_ej_eg_uo_d_une_region_generee(api, region):
    construire_region_generee(nb_eg=15)
    JetonApi.objects.update(profil_acces=1)  # every unit, the sensitive ones included (ANS profile 1)
    structures = Structure.objects.filter(niveau__in=[Niveau.EJ, Niveau.EG, Niveau.UO])
    vus = 0
    offres_attendues = {f"{s.pk}-{a.code}-{m.code}" for s in structures.filter(niveau=Niveau.UO)
                        for a in s.activites.all() for m in s.modes_prise_en_charge.all()}
    for type_ressource, niveaux in (("Organization", [Niveau.EJ, Niveau.EG]), ("HealthcareService", [Niveau.UO]),
                                    ("Location", [Niveau.UO])):
        attendus = ({str(pk) for pk in structures.filter(niveau__in=niveaux).values_list("pk", flat=True)}
                    if type_ressource != "HealthcareService" else offres_attendues)
        obtenus = set()
        url = f"/fhir/{type_ressource}?_count=7&_total=accurate"  # counted on the first page, carried by `next`
        while url:
            bundle = _get(api, url)
            valider(bundle)
            assert bundle["total"] == len(attendus)
            for entree in bundle.get("entry", []):
                valider(entree["resource"])
                obtenus.add(entree["resource"]["id"])
                vus += 1
            url = next((l["url"] for l in bundle["link"] if l["relation"] == "next"), None)
        assert obtenus == attendus, type_ressource
    assert vus > 60


def test_codes_nos_d_une_uo_riche(api, region):
    uo = [s for s in construire_region_generee(nb_eg=2) if s.niveau == Niveau.UO][0]
    hs = [e["resource"] for e in _get(api, "/fhir/HealthcareService")["entry"]
          if e["resource"]["id"].startswith(f"{uo.pk}-")][0]
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
    assert _ids(_get(api, "/fhir/HealthcareService?intervention-zone=49")) == {region.uo_aj.pk}  # département
    assert _ids(_get(api, "/fhir/HealthcareService?intervention-zone=44")) == set()
    assert _ids(_get(api, f"/fhir/HealthcareService?intervention-zone={nos.TRE_R30}|52")) == {region.uo_aj.pk}
    assert _ids(_get(api, f"/fhir/HealthcareService?intervention-zone={nos.TRE_R30}|11")) == set()


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
    # The total is counted when asked (_total=accurate), then carried by the next links.
    assert "total" not in _get(api, "/fhir/HealthcareService?_count=2")
    page1 = _get(api, "/fhir/HealthcareService?_count=2&_total=accurate")
    assert page1["total"] == 3 and len(page1["entry"]) == 2
    suivant = [l["url"] for l in page1["link"] if l["relation"] == "next"][0]
    page2 = _get(api, suivant)
    assert len(page2["entry"]) == 1 and not [l for l in page2["link"] if l["relation"] == "next"]
    assert page2["total"] == 3
    assert api.get("/fhir/HealthcareService?_total=beaucoup").status_code == 400
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


def _haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance computed here, independently of the server's (haversine, 6371 km sphere)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def test_recherche_location_near(api, region):
    """FHIR `near=latitude|longitude|distance|units` (core Location-near, listed by the guide's ror-serveur.fsh
    @7197940fbc3eddd61149790a71852ae0788ae85f): the places whose served Location.position lies within the
    distance, checked against a distance computed in the test."""
    # The reanimation unit gets its own position (2 km north-east of its EG in Cholet): its own counts.
    offre.modifier_structure(None, region.uo_rea, {"latitude": 47.078, "longitude": -0.862}, raison="test")
    tous = _get(api, "/fhir/Location?_count=200")
    positions = {int(e["resource"]["id"]): e["resource"]["position"] for e in tous["entry"]
                 if "position" in e["resource"]}
    assert positions[region.uo_rea.pk] == {"latitude": 47.078, "longitude": -0.862}
    centre = (47.06, -0.88)  # the Cholet hospital's EG
    for distance, unite, km in ((1, "km", 1), (2.5, "km", 2.5), (3000, "m", 3), (60, "km", 60), (40, "[mi_i]", 64.37)):
        attendus = {pk for pk, p in positions.items()
                    if _haversine_km(*centre, p["latitude"], p["longitude"]) <= km}
        assert _ids(_get(api, f"/fhir/Location?near=47.06|-0.88|{distance}|{unite}")) == attendus, (distance, unite)
    assert _ids(_get(api, "/fhir/Location?near=47.06|-0.88|1|km")) == set()
    assert _ids(_get(api, "/fhir/Location?near=47.06|-0.88|2.5|km")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/Location?near=47.06|-0.88|60|km")) == {region.uo_rea.pk, region.uo_hp.pk,
                                                                        region.uo_aj.pk}
    # Units omitted: km; distance omitted: 10 km. Combined with another parameter (AND).
    assert _ids(_get(api, "/fhir/Location?near=47.47|-0.55|10")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/Location?near=47.47|-0.55")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, f"/fhir/Location?near=47.47|-0.55|60|km&_id={region.uo_rea.pk}")) == {region.uo_rea.pk}
    # A place without any position (neither its own nor its EG's) is never near.
    offre.modifier_structure(None, region.ehpad, {"latitude": None, "longitude": None}, raison="test")
    assert _ids(_get(api, "/fhir/Location?near=47.47|-0.55|60|km")) == {region.uo_rea.pk}
    parametres = {p["name"]: p for r in _get(api, "/fhir/metadata")["rest"][0]["resource"]
                  if r["type"] == "Location" for p in r["searchParam"]}
    assert parametres["near"] == {"name": "near", "definition": "http://hl7.org/fhir/SearchParameter/Location-near",
                                  "type": "special"}


def test_recherche_location_near_au_bord_du_rayon(api, region):
    """The box that narrows a proximity search by index never drops a place the distance keeps: a unit
    9.9999 km due north (where a box of distance / 111.2 km per degree stopped short) is near at 10 km,
    one at 10.0001 km is not; due east as well, where a degree of longitude shrinks with the latitude."""
    centre = (47.06, -0.88)
    degre_km = math.pi * 6371.0 / 180
    nord_dedans, nord_dehors = centre[0] + 9.9999 / degre_km, centre[0] + 10.0001 / degre_km
    assert _haversine_km(*centre, nord_dedans, centre[1]) < 10 < _haversine_km(*centre, nord_dehors, centre[1])
    offre.modifier_structure(None, region.uo_rea, {"latitude": nord_dedans, "longitude": centre[1]}, raison="test")
    offre.modifier_structure(None, region.uo_hp, {"latitude": nord_dehors, "longitude": centre[1]}, raison="test")
    assert _ids(_get(api, "/fhir/Location?near=47.06|-0.88|10|km")) == {region.uo_rea.pk}
    # Due east: the longitude 10 km away, found by bisection on the test's own distance.
    bas, haut = centre[1], centre[1] + 1
    for _ in range(60):
        milieu = (bas + haut) / 2
        bas, haut = (milieu, haut) if _haversine_km(*centre, centre[0], milieu) < 10 else (bas, milieu)
    offre.modifier_structure(None, region.uo_rea, {"latitude": centre[0], "longitude": bas - 1e-7}, raison="test")
    offre.modifier_structure(None, region.uo_hp, {"latitude": centre[0], "longitude": haut + 1e-7}, raison="test")
    assert _ids(_get(api, "/fhir/Location?near=47.06|-0.88|10|km")) == {region.uo_rea.pk}


def test_recherche_location_near_insee_code_positions_servies(api, region):
    """near-insee-code over each unit's position: its own, else its EG's, else its commune's, else its EG's
    commune's, coordinate by coordinate (a half position — a latitude without longitude, as an import may
    leave — takes the other from the next source), checked against a distance computed in the test."""
    from nomenclatures.models import Commune

    offre.modifier_structure(None, region.uo_rea, {"latitude": 47.078, "longitude": -0.862}, raison="test")
    # The EHPAD loses its position: its units are placed at its commune (Angers) …
    Structure.objects.filter(pk=region.ehpad.pk).update(latitude=None, longitude=None)
    # … but the day-care unit has a latitude of its own, 30 km south of Angers, and no longitude.
    Structure.objects.filter(pk=region.uo_aj.pk).update(latitude=47.2, longitude=None)
    communes = {c.pk: c for c in Commune.objects.filter(pk__in=["49007", "49099"])}
    servies = {}
    for uo in Structure.objects.uo().select_related("eg", "commune", "eg__commune"):
        sources = (uo, uo.eg, uo.commune, uo.eg.commune if uo.eg and uo.eg.commune_id else None)
        lat = next((s.latitude for s in sources if s is not None and s.latitude is not None), None)
        lon = next((s.longitude for s in sources if s is not None and s.longitude is not None), None)
        servies[uo.pk] = (lat, lon)
    assert servies[region.uo_aj.pk] == (47.2, communes["49007"].longitude)
    for code in communes:
        for km in (2, 10, 28, 32, 55, 80):
            centre = (communes[code].latitude, communes[code].longitude)
            attendus = {pk for pk, (lat, lon) in servies.items()
                        if lat is not None and lon is not None and _haversine_km(*centre, lat, lon) <= km}
            assert _ids(_get(api, f"/fhir/Location?near-insee-code={code}|{km}|km")) == attendus, (code, km)
    assert _ids(_get(api, "/fhir/Location?near-insee-code=49007|28|km")) == {region.uo_hp.pk}
    assert _ids(_get(api, "/fhir/Location?near-insee-code=49007|32|km")) == {region.uo_hp.pk, region.uo_aj.pk}


def test_recherche_location_capacity_type_et_temporality_capacity(api, region):
    """ror-sp-capacity-type (R329: 01 lit, 02 place) and ror-sp-temporality-capacity (R331: the portal's
    capacities are all « courant »), on what each Location's ror-location-supported-capacity says."""
    offre.modifier_structure(None, region.uo_aj, {"places_installees": 8}, raison="test")
    assert _ids(_get(api, "/fhir/Location?capacity-type=01")) == {region.uo_rea.pk}
    assert _ids(_get(api, f"/fhir/Location?capacity-type={nos.TRE_R329}|02")) == {region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/Location?capacity-type=01,02")) == {region.uo_rea.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/Location?temporality-capacity=01")) == {region.uo_rea.pk, region.uo_aj.pk}
    assert _ids(_get(api, f"/fhir/Location?temporality-capacity={nos.TRE_R331}|03")) == set()
    for bundle in (_get(api, "/fhir/Location?capacity-type=02"), _get(api, "/fhir/Location?temporality-capacity=01")):
        for entree in bundle["entry"]:
            capacites = [e for e in entree["resource"]["extension"]
                         if e["url"].endswith("/ror-location-supported-capacity")]
            assert capacites and all({"url": "temporalityCapacity", "valueCode": "01"} in c["extension"]
                                     for c in capacites)
    refus = api.get("/fhir/Location?capacity-type=09")
    assert refus.status_code == 400 and "TRE_R329" in refus.json()["issue"][0]["diagnostics"]
    parametres = {p["name"]: p for r in _get(api, "/fhir/metadata")["rest"][0]["resource"]
                  if r["type"] == "Location" for p in r["searchParam"]}
    assert parametres["capacity-type"]["definition"].endswith("/SearchParameter/ror-sp-capacity-type")


def test_recherche_organization_par_identifiant_et_nom(api, region):
    assert _ids(_get(api, "/fhir/Organization?identifier=https://finess.esante.gouv.fr|490000049")) == {region.ch.pk}
    assert _ids(_get(api, "/fhir/Organization?identifier=123456789")) == {region.ej.pk}
    assert _ids(_get(api, "/fhir/Organization?name=ehpad")) == {region.ehpad.pk}
    assert _ids(_get(api, "/fhir/Organization?name:contains=tilleuls")) == {region.ej.pk, region.ehpad.pk}
    assert _ids(_get(api, f"/fhir/Organization?partof=Organization/{region.autre_ej.pk}")) == {region.ch.pk}


@pytest.mark.parametrize("requete", [
    "HealthcareService?_lastUpdated=hier", "HealthcareService?_lastUpdated=ge2026-13-40",
    "HealthcareService?_count=-1", "HealthcareService?age-range-low=abc",
    "HealthcareService?age-range-low=zz60", "HealthcareService?intervention-zone=Angers",
    "HealthcareService?_curseur=%%%", "HealthcareService?_count=2&_count=3", "HealthcareService?specialty=",
    "Location?near-insee-code=99999|10|km", "Location?near-insee-code=49007|loin|km",
    "Location?near-insee-code=49007|10|parsecs", "Location?near-insee-code=49007|5000|km",
    "Location?capacity-status=99",
    "Location?near=47.47", "Location?near=Angers|10|km", "Location?near=47.47|-0.55|loin|km",
    "Location?near=47.47|-0.55|10|parsecs", "Location?near=91|-0.55|10|km", "Location?near=47.47|181|10|km",
    "Location?near=47.47|-0.55|5000|km", "Location?near=47.47|-0.55|-3|km", "Location?near=47.47|-0.55|nan|km",
    "Location?near=47.47,-0.55|10|km", "Organization?_id=abc", "HealthcareService?_id=12", "Organization?partof=x",
    # absurd years: an OverflowError once answered 500 (#16)
    "Organization?_lastUpdated=9999-12-31", "Organization?_lastUpdated=9999-12", "Organization?_lastUpdated=9999",
    "HealthcareService?_lastUpdated=ap9999-12-31", "Location?_lastUpdated=le9999-12-31T23:59:59Z",
    "HealthcareService?_lastUpdated=ap0001-01-01", "Organization?_lastUpdated=ge0001-01-01T00:00:00%2B14:00",
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
    assert {r["type"] for r in capability["rest"][0]["resource"]} == {"Organization", "HealthcareService", "Location",
                                                                     "Practitioner", "PractitionerRole"}


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
        v["url"] == "capacityStatus" and v["valueCode"] == "02" for v in c["extension"])]
    assert disponibles and "3" in str(disponibles[0])


def test_parametre_inconnu_ignore_et_signale_sauf_en_mode_strict(api, region):
    bundle = _get(api, "/fhir/HealthcareService?inconnu=1&specialty=127&_sort=name")
    valider(bundle)
    assert _ids(bundle) == {region.uo_rea.pk}
    soi = [l["url"] for l in bundle["link"] if l["relation"] == "self"][0]
    assert "specialty=127" in soi and "inconnu" not in soi and "_sort" not in soi
    issues = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"][0]["issue"]
    assert {i["severity"] for i in issues} == {"warning"} and len(issues) == 2
    assert "inconnu=1" in issues[0]["diagnostics"]
    refus = api.get("/fhir/HealthcareService?inconnu=1", HTTP_PREFER="handling=strict")
    assert refus.status_code == 400 and "inconnu" in refus.json()["issue"][0]["diagnostics"]
    assert api.get("/fhir/HealthcareService?specialty=127", HTTP_PREFER="handling=strict").status_code == 200


def test_count_plafonne_summary_count_elements_et_tri(api, region):
    assert _get(api, "/fhir/HealthcareService?_count=5000")["total"] == 3  # capped, not refused
    compte = _get(api, "/fhir/Location?_summary=count")
    assert compte["total"] == 3 and "entry" not in compte
    bundle = _get(api, "/fhir/HealthcareService?_elements=identifier,name&_sort=_lastUpdated")
    valider(bundle)
    ressource = bundle["entry"][0]["resource"]
    assert set(ressource) == {"resourceType", "id", "meta", "identifier", "name"}
    assert "SUBSETTED" in [t["code"] for t in ressource["meta"]["tag"]]
    dates = [e["resource"]["meta"]["lastUpdated"] for e in bundle["entry"]]
    assert dates == sorted(dates) and len(set(dates)) == len(dates) == 3  # distinct: the order is telling


def test_pages_d_offres_sans_trou_ni_doublon_quel_que_soit_count(api, region):
    """A unit gives several offers: pages of any size, followed by their next links, serve every offer
    once, in (lastUpdated, id) order, however a page cuts a unit's offers."""
    offre.modifier_structure(None, region.uo_rea, {}, m2m={
        "activites": [concept("J17", "126"), concept("J17", "127")],
        "modes_prise_en_charge": [concept("R213", "28"), concept("R213", "29")]}, raison="test")
    tout = [e["resource"]["id"] for e in _get(api, "/fhir/HealthcareService?_sort=_lastUpdated")["entry"]]
    assert len(tout) == 6
    for count in range(1, 7):
        vus, url, pages = [], f"/fhir/HealthcareService?_count={count}", 0
        while url:
            bundle = _get(api, url)
            entrees = [e["resource"]["id"] for e in bundle.get("entry", [])]
            assert len(entrees) <= count
            vus += entrees
            url = next((l["url"] for l in bundle["link"] if l["relation"] == "next"), None)
            pages += 1
        assert vus == tout, count
        assert pages == -(-6 // count) or pages == -(-6 // count) + 1, (count, pages)


def test_pages_sans_trou_quand_les_unites_partagent_un_instant(api, region):
    """Units written at one instant (an import): a page's cursor goes on by id within that instant, every
    offer and every place served once, in unit id order."""
    offre.modifier_structure(None, region.uo_rea, {}, m2m={
        "activites": [concept("J17", "126"), concept("J17", "127")],
        "modes_prise_en_charge": [concept("R213", "28"), concept("R213", "29")]}, raison="test")
    Structure.objects.filter(niveau=Niveau.UO).update(modifie_le=timezone.now())
    for type_ressource, nombre in (("HealthcareService", 6), ("Location", 3)):
        base = f"/fhir/{type_ressource}?_lastUpdated=ge2000-01-01"  # not cached: the update bumped no version
        tout = [e["resource"]["id"] for e in _get(api, f"{base}&_count=200")["entry"]]
        assert len(tout) == nombre and [int(i.split("-")[0]) for i in tout] == sorted(int(i.split("-")[0]) for i in tout)
        for count in range(1, nombre + 1):
            vus, url = [], f"{base}&_count={count}"
            while url:
                bundle = _get(api, url)
                vus += [e["resource"]["id"] for e in bundle.get("entry", [])]
                url = next((l["url"] for l in bundle["link"] if l["relation"] == "next"), None)
            assert vus == tout, (type_ressource, count)


def test_une_offre_par_activite_et_mode(api, region):
    offre.modifier_structure(None, region.uo_rea, {}, m2m={
        "activites": [concept("J17", "126"), concept("J17", "127")],
        "modes_prise_en_charge": [concept("R213", "28"), concept("R213", "29")]}, raison="test")
    bundle = _get(api, f"/fhir/HealthcareService?organization=Organization/{region.ch.pk}")
    ids = sorted(e["resource"]["id"] for e in bundle["entry"])
    assert ids == [f"{region.uo_rea.pk}-{a}-{m}" for a in ("126", "127") for m in ("28", "29")]
    assert bundle["total"] == 4
    for entree in bundle["entry"]:
        hs = entree["resource"]
        assert len(hs["specialty"]) == 1 and len(hs["type"]) == 1
        assert hs["identifier"] == [{"system": SYSTEME_OFFRE, "value": f"{settings.ROR_REGION_CODE}-{hs['id']}"}]
    # A search narrows the offers, not only the units.
    assert sorted(e["resource"]["id"] for e in _get(api, "/fhir/HealthcareService?specialty=126")["entry"]) == [
        f"{region.uo_rea.pk}-126-28", f"{region.uo_rea.pk}-126-29"]
    systeme = nos.url_tre("TRE_R213-ModePriseEnCharge")
    seul = _get(api, f"/fhir/HealthcareService?specialty=127&characteristic={systeme}|29")
    assert [e["resource"]["id"] for e in seul["entry"]] == [f"{region.uo_rea.pk}-127-29"] and seul["total"] == 1
    # Pages of 3 cut through the unit's offers without losing or repeating one.
    vus, url = [], f"/fhir/HealthcareService?organization=Organization/{region.ch.pk}&_count=3"
    while url:
        page = _get(api, url)
        vus += [e["resource"]["id"] for e in page["entry"]]
        url = next((l["url"] for l in page["link"] if l["relation"] == "next"), None)
    assert sorted(vus) == ids


def test_age_toujours_borne_et_fermeture_decrite_comme_le_profil(api, region):
    offre.modifier_structure(None, region.uo_rea, {"age_min": None, "age_max": None}, raison="test")
    hs = _get(api, f"/fhir/HealthcareService/{region.uo_rea.pk}-127-28")
    patient = [e for e in hs["extension"] if e["url"].endswith("ror-healthcareservice-patient-type")][0]
    age = [e for e in patient["extension"] if e["url"] == "ageRange"][0]["valueRange"]
    assert (age["low"]["value"], age["high"]["value"]) == (0, 150)
    assert DESCRIPTION_FERMETURE == "Période de fermeture et de réouverture prévisionnelle"


def test_include_et_revinclude_des_scenarios(api, region):
    bundle = _get(api, "/fhir/HealthcareService?specialty=127&_include=HealthcareService:organization"
                       "&_include:iterate=Organization:partof&_include=HealthcareService:location")
    valider(bundle)
    inclus = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]
              if e["search"]["mode"] == "include"}
    assert inclus == {("Organization", str(region.ch.pk)), ("Organization", str(region.autre_ej.pk)),
                      ("Location", str(region.uo_rea.pk))}
    locations = _get(api, "/fhir/Location?_revinclude=HealthcareService:location")
    inclus = [e["resource"]["id"] for e in locations["entry"] if e["search"]["mode"] == "include"]
    assert sorted(inclus) == sorted([f"{region.uo_hp.pk}-293-46", f"{region.uo_aj.pk}-294-47",
                                     f"{region.uo_rea.pk}-127-28"])
    organisations = _get(api, f"/fhir/Organization?_id={region.ch.pk}&_include=Organization:partof")
    assert [e["resource"]["id"] for e in organisations["entry"]] == [str(region.ch.pk), str(region.autre_ej.pk)]


def test_metadata_liste_inclusions_et_definitions(client, db):
    capability = client.get("/fhir/metadata").json()
    hs = [r for r in capability["rest"][0]["resource"] if r["type"] == "HealthcareService"][0]
    assert "HealthcareService:location" in hs["searchInclude"]
    assert {p["name"]: p["type"] for p in hs["searchParam"]}["age-range-low"] == "quantity"
    assert all(p.get("definition", "").startswith("http") for p in hs["searchParam"] if p["name"] != "name:contains"
               and p["name"] != "name")


def test_tous_les_comparateurs_sur_l_age_et_les_dates(api, region):
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=ne60")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=sa18")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=eb60")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/HealthcareService?age-range-low=ap58")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert len(_ids(_get(api, "/fhir/HealthcareService?_lastUpdated=sa2000-01-01"))) == 3
    assert _ids(_get(api, "/fhir/HealthcareService?_lastUpdated=eb2000-01-01")) == set()
    assert _ids(_get(api, "/fhir/HealthcareService?_lastUpdated=ne2000-01-01")) == {
        region.uo_hp.pk, region.uo_aj.pk, region.uo_rea.pk}
    jour = timezone.localdate().isoformat()
    assert len(_ids(_get(api, f"/fhir/Location?_lastUpdated=ap{jour}"))) == 3


def test_lits_saisis_changent_le_last_updated_de_la_location(api, region):
    """The guide's capacity scenario 4: Location?_lastUpdated=ge… finds a place whose beds changed."""
    from disponibilites.services.saisie_lits import LigneSaisie, saisir_lits

    avant = timezone.now()
    horodatage = avant.astimezone(dt_timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    assert _ids(_get(api, f"/fhir/Location?_lastUpdated=ge{horodatage}")) == set()
    droits.accorder_droit(region.gestionnaire, region.referent_autre, "saisie_lits", region.ch)
    saisir_lits(region.referent_autre, [LigneSaisie(uo=region.uo_rea, disponibles=3, supplementaires=2,
                                                    fermes=None)])
    bundle = _get(api, f"/fhir/Location?_lastUpdated=ge{horodatage}&_revinclude=HealthcareService:location")
    assert _ids(bundle) == {region.uo_rea.pk}
    loc = bundle["entry"][0]["resource"]
    assert loc["meta"]["lastUpdated"] >= horodatage.replace("Z", "")[:23]
    statuts = sorted(x["valueCode"] for c in loc["extension"] if c["url"].endswith("supported-capacity")
                     for x in c["extension"] if x["url"] == "capacityStatus")
    assert statuts == ["01", "02", "06"]
    assert _ids(_get(api, f"/fhir/Location?_lastUpdated=lt{horodatage}")) == {region.uo_hp.pk, region.uo_aj.pk}
    assert _ids(_get(api, "/fhir/Location?capacity-status=06")) == {region.uo_rea.pk}
    assert _ids(_get(api, "/fhir/Location?capacity-status=05")) == set()


def test_la_ligne_d_adresse_fhir_ecrit_le_type_de_voie(api, region):
    """The line text is the one formatter's ("12 Avenue Jean Jaurès"), the type's code in its extension."""
    Structure.objects.filter(pk=region.ch.pk).update(numero_voie="12", type_voie=concept("J219", "AV"),
                                                     voie="Jean Jaurès")
    adresse = _get(api, f"/fhir/Location/{region.uo_rea.pk}")["address"]
    assert adresse["line"] == ["12 Avenue Jean Jaurès"]
    extensions = {e["url"].rsplit("-", 1)[-1]: e["valueString"] for e in adresse["_line"][0]["extension"]}
    assert extensions["streetNameType"] == "AV"


def test_la_recherche_mise_en_cache_suit_l_offre_et_le_profil_du_consommateur(client, api, region):
    """Searches of HealthcareService/Organization are cached under the version of the offer: the same
    search asked again after a write shows the write, and a consumer without the sensitive units never
    receives the Bundle cached for a consumer who sees them (and the reverse)."""
    from repertoire.models import ProfilAcces

    recherche = "/fhir/HealthcareService?_count=50"
    avant = _get(api, recherche)
    assert _get(api, recherche)["entry"] == avant["entry"]  # served again, the same
    noms = lambda bundle: {e["resource"]["name"] for e in bundle["entry"]}  # noqa: E731
    offre.modifier_structure(None, region.uo_hp, {"nom": "Medecine polyvalente renommee"}, raison="test")
    assert "Medecine polyvalente renommee" in noms(_get(api, recherche))

    Structure.objects.filter(pk=region.uo_hp.pk).update(unite_sensible=True)
    offre.modifier_structure(None, region.uo_hp, {"commentaire": "sensible"}, raison="test")  # a new version
    vus = {}
    for profil in (ProfilAcces.TOUT, ProfilAcces.HORS_TRES_RESTREINT, ProfilAcces.TOUT):
        _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Profil", profil_acces=profil)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {clair}"
        vus.setdefault(profil, []).append(noms(_get(client, recherche)))
    assert "Medecine polyvalente renommee" in vus[ProfilAcces.TOUT][0]
    assert vus[ProfilAcces.TOUT][1] == vus[ProfilAcces.TOUT][0]
    assert vus[ProfilAcces.HORS_TRES_RESTREINT][0] == vus[ProfilAcces.TOUT][0] - {"Medecine polyvalente renommee"}


def test_le_total_compte_est_garde_tant_que_l_offre_ne_change_pas(api, region):
    """_total=accurate counts and keeps the count under the state of the offer; _total=estimate answers
    with that kept count and never counts; a write moves the state on: the kept count is no longer given."""
    url = "/fhir/HealthcareService?_count=1"
    assert "total" not in _get(api, f"{url}&_total=estimate")  # nothing counted yet: no total
    assert _get(api, f"{url}&_total=accurate")["total"] == 3
    estimation = _get(api, f"{url}&_total=estimate")
    assert estimation["total"] == 3 and len(estimation["entry"]) == 1
    offre.modifier_structure(None, region.uo_rea, {}, m2m={"modes_prise_en_charge": [
        concept("R213", "28"), concept("R213", "46")]}, raison="test")  # one more offer
    assert "total" not in _get(api, f"{url}&_total=estimate")
    assert _get(api, f"{url}&_total=accurate")["total"] == 4
    assert _get(api, f"{url}&_total=estimate")["total"] == 4


def test_recherche_location_identifier_ne_rend_aucun_lieu(api, region):
    """The guide's scenario `Location?identifier=Location1`: no place carries an identifier (we hold neither
    idLocation nor idExterneSynchro), so it answers an empty searchset, not every place as an ignored
    parameter would; the parameter is listed, and a malformed token still answers 400."""
    assert _ids(_get(api, "/fhir/Location?_count=200"))
    vide = _get(api, "/fhir/Location?identifier=Location1&_revinclude=HealthcareService:location")
    assert vide.get("entry", []) == []
    assert "identifier=Location1" in next(l["url"] for l in vide["link"] if l["relation"] == "self")
    _get(api, "/fhir/Location?identifier=,", statut=400)
    capacites = _get(api, "/fhir/metadata")
    lieu = next(r for r in capacites["rest"][0]["resource"] if r["type"] == "Location")
    assert {p["name"]: p["type"] for p in lieu["searchParam"]}["identifier"] == "token"
