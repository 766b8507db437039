"""The FHIR API's contacts, people, identifiers and the data the guide describes beyond the offer:
contacts with their nature (J221) and their own confidentiality (J222), telecom for MSS boxes only,
a unit's responsable as Practitioner + PractitionerRole (read, search, _revinclude), FR Core
identifier slices, opening hours, equipment, operational status, an EG's extensions, internal
organisations. Each resource also passes the offline conformance check (interop.conformite)."""

from datetime import time
from decimal import Decimal

import pytest

from interop import nos
from interop.conformite import Verificateur
from repertoire.models import Contact, Horaire, Niveau
from repertoire.services import offre
from tests.factories import concept
from tests.interop_aides import valider
from tests.test_interop_fhir import _get, api  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
IG = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition"


def _conforme(ressource):
    valider(ressource)
    assert Verificateur().verifier(ressource) == []


@pytest.fixture
def personnes(region):
    responsable = Contact.objects.create(
        structure=region.uo_rea, fonction=concept("J220", "22"), libelle="Responsable d'unité",
        civilite=concept("J207", "MME"), titre="Médecin chef de service", nom="Durand", prenom="Anne",
        telephone="02 41 00 00 01", email="anne.durand@ch-cholet.mssante.fr", est_responsable=True)
    secretariat = Contact.objects.create(
        structure=region.uo_rea, libelle="Secrétariat médical", telephone="02 41 00 00 02",
        confidentialite=concept("J222", "2"))
    directeur = Contact.objects.create(
        structure=region.ch, fonction=concept("J220", "01"), libelle="Direction", nom="Martin", prenom="Paul",
        email="direction@ch-cholet.fr")
    return responsable, secretariat, directeur


def test_contacts_nature_confidentialite_et_telecom_mss(api, region, personnes):  # noqa: F811
    responsable, secretariat, _ = personnes
    hs = _get(api, f"/fhir/HealthcareService/{region.uo_rea.pk}-127-28")
    _conforme(hs)
    contacts = [e for e in hs["extension"] if e["url"] == f"{IG}/ror-healthcareservice-contact"]
    par_description = {next(s["valueString"] for s in c["extension"] if s["url"] == "description"): c
                       for c in contacts}
    secret = {s["url"]: s for s in par_description["Secrétariat médical"]["extension"]}
    assert secret["purposeContact"]["valueCodeableConcept"]["coding"][0]["code"] == "07"  # J221 Secrétariat
    # The contact's own level, not always « accès libre ».
    assert secret[f"{IG}/ror-confidentiality-level"]["valueCodeableConcept"]["coding"][0] == {
        "system": nos.TRE_R283, "code": "2", "display": concept("J222", "2").libelle}
    telecom = secret[f"{IG}/ror-healthcareservice-contact-telecom"]["extension"]
    assert {"url": "telecomAddress", "valueString": "02 41 00 00 02"} in telecom
    # telecom is for MSS boxes: the responsable's MSS address, nothing else.
    assert [t["value"] for t in hs.get("telecom", [])] == []
    eg = _get(api, f"/fhir/Organization/{region.ch.pk}")
    _conforme(eg)
    direction = [c for c in eg["contact"] if c.get("purpose", {}).get("coding", [{}])[0].get("code") == "10"][0]
    assert direction["name"]["family"] == "Martin"
    assert all(t["system"] != "phone" for t in eg.get("telecom", []))


def test_responsable_practitioner_et_role_lecture_recherche_revinclude(api, region, personnes):  # noqa: F811
    responsable, _, directeur = personnes
    praticien = _get(api, f"/fhir/Practitioner/{responsable.pk}")
    _conforme(praticien)
    assert praticien["identifier"] == [{"system": "urn:oid:1.2.250.1.71.4.2.1",
                                        "value": f"3490000049/{responsable.pk}"}]
    assert praticien["telecom"][0]["value"] == "anne.durand@ch-cholet.mssante.fr"
    role_id = f"{responsable.pk}-{region.uo_rea.pk}-127-28"
    role = _get(api, f"/fhir/PractitionerRole/{role_id}")
    _conforme(role)
    assert role["code"][0]["coding"][0]["code"] == "10"  # « Médecin … » → TRE_G15 Médecin
    assert role["healthcareService"] == [{"reference": f"HealthcareService/{region.uo_rea.pk}-127-28"}]
    trouves = _get(api, f"/fhir/PractitionerRole?service=HealthcareService/{region.uo_rea.pk}-127-28")
    assert [e["resource"]["id"] for e in trouves["entry"]] == [role_id]
    # The EG's director: a Practitioner (no offer to hold a PractitionerRole).
    _conforme(_get(api, f"/fhir/Practitioner/{directeur.pk}"))
    assert _get(api, f"/fhir/Practitioner?_id={directeur.pk}")["total"] == 1
    bundle = _get(api, f"/fhir/HealthcareService?_id={region.uo_rea.pk}-127-28&_revinclude=PractitionerRole:service"
                       "&_include=PractitionerRole:practitioner")
    inclus = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]
              if e["search"]["mode"] == "include"}
    assert inclus == {("PractitionerRole", role_id), ("Practitioner", str(responsable.pk))}
    assert "OperationOutcome" not in str(bundle)
    _get(api, "/fhir/Practitioner/999999999", 404)
    _get(api, "/fhir/PractitionerRole/abc", 404)


def test_identifiants_fr_core_et_sirene_http_https(api, region):  # noqa: F811
    ej = _get(api, f"/fhir/Organization/{region.ej.pk}")
    _conforme(ej)
    types = {c["code"] for i in ej["identifier"] for c in i["type"]["coding"]}
    assert {"IDNST", "FINEJ", "SIREN", "40", "1", "2"} <= types
    for systeme in ("http://sirene.fr", "https://sirene.fr"):
        bundle = _get(api, f"/fhir/Organization?identifier={systeme}|123456789")
        assert [e["resource"]["id"] for e in bundle["entry"]] == [str(region.ej.pk)]


def test_horaires_equipements_statut_et_extensions_eg(api, region):  # noqa: F811
    Horaire.objects.create(structure=region.uo_rea, jour=1, debut=time(8), fin=time(18),
                           type_horaire=concept("J41", "01"))
    offre.modifier_structure(None, region.uo_rea, {}, m2m={"equipements": [concept("J18", "003")]}, raison="test")
    offre.modifier_structure(None, region.ch, {"accessibilite": concept("J50", "1"), "commentaire": "Parking"},
                             m2m={"aides_financieres": [concept("J31", "02")]}, raison="test")
    hs = _get(api, f"/fhir/HealthcareService/{region.uo_rea.pk}-127-28")
    _conforme(hs)
    assert hs["availableTime"] == [{"extension": [
        {"url": f"{IG}/ror-available-time-type-of-time", "valueCodeableConcept": nos.codeable(concept("J41", "01"))},
        {"url": f"{IG}/ror-available-time-number-days-of-week", "valueInteger": 1}],
        "availableStartTime": "08:00:00", "availableEndTime": "18:00:00"}]
    loc = _get(api, f"/fhir/Location/{region.uo_rea.pk}")
    _conforme(loc)
    assert loc["operationalStatus"]["code"] == "3"
    equipement = [e for e in loc["extension"] if e["url"] == f"{IG}/ror-location-equipment"][0]
    assert equipement["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "003"
    eg = _get(api, f"/fhir/Organization/{region.ch.pk}")
    _conforme(eg)
    urls = {e["url"] for e in eg["extension"]}
    assert {f"{IG}/ror-organization-financial-help-type", f"{IG}/ror-organization-accessibility-location",
            f"{IG}/ror-organization-comment"} <= urls


def test_organisation_interne_servie_en_organization(api, region):  # noqa: F811
    oi = offre.creer_structure(None, Niveau.OI, region.ch, nom="Pôle de médecine",
                               type_oi=concept("J203", "2"))
    ressource = _get(api, f"/fhir/Organization/{oi.pk}")
    _conforme(ressource)
    assert ressource["partOf"] == {"reference": f"Organization/{region.ch.pk}"}
    assert ressource["identifier"][0]["system"] == "https://oi.esante.gouv.fr"


def test_prix_de_l_eg(api, region):  # noqa: F811
    """An EG's units' monthly price as ror-organization-price (J36 forfait socle hébergement, J205 by the
    month), once per amount; a sensitive unit's price stays out."""
    offre.modifier_structure(None, region.uo_hp, {"tarif_mensuel": Decimal("2450.50")}, raison="test")
    offre.modifier_structure(None, region.uo_aj, {"tarif_mensuel": Decimal("2450.50")}, raison="test")
    eg = _get(api, f"/fhir/Organization/{region.uo_hp.eg_id}")
    _conforme(eg)
    prix = [e for e in eg["extension"] if e["url"] == f"{IG}/ror-organization-price"]
    assert prix == [{"url": f"{IG}/ror-organization-price", "extension": [
        {"url": "priceType", "valueCodeableConcept": {"coding": [{
            "system": "https://mos.esante.gouv.fr/NOS/TRE_R246-TypeTarif/FHIR/TRE-R246-TypeTarif", "code": "02",
            "display": "Forfait socle hébergement"}]}},
        {"url": "priceUnit", "valueCodeableConcept": {"coding": [{
            "system": "https://mos.esante.gouv.fr/NOS/TRE_R228-UnitePrix/FHIR/TRE-R228-UnitePrix", "code": "3",
            "display": "Tarif mensuel"}]}},
        {"url": "amount", "valueMoney": {"value": 2450.5, "currency": "EUR"}}]}]
    # The codes are those of the value sets the profile binds (J36, J205), as loaded from fixtures.
    assert concept("J36", "02").libelle == "Forfait socle hébergement" and concept("J205", "3")
    region.uo_hp.__class__.objects.filter(eg_id=region.uo_hp.eg_id).update(unite_sensible=True)
    eg = _get(api, f"/fhir/Organization/{region.uo_hp.eg_id}")
    assert not [e for e in eg["extension"] if e["url"] == f"{IG}/ror-organization-price"]


def test_recherche_de_personnes_en_requetes_constantes(api, region, personnes, django_assert_max_num_queries):  # noqa: F811
    """A page of people reads its structures at once: 3 responsables more cost no query more (each
    contact read its structure, its activities and modes, its concepts one by one)."""
    for uo, nom in ((region.uo_hp, "Leroy"), (region.uo_aj, "Petit"), (region.uo_rea, "Moreau")):
        Contact.objects.create(structure=uo, fonction=concept("J220", "22"), civilite=concept("J207", "MME"),
                               titre="Médecin", nom=nom, est_responsable=True)
    for type_ressource, attendus in (("Practitioner", 5), ("PractitionerRole", 4)):
        with django_assert_max_num_queries(8):
            bundle = _get(api, f"/fhir/{type_ressource}")
        assert len([e for e in bundle["entry"] if e["search"]["mode"] == "match"]) == attendus, type_ressource
