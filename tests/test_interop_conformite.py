"""The FHIR API against the ANS ROR guide itself, offline: every resource the demo region
produces (EJ, EG, UO as places and offers) and the guide's scenario URLs pass the constraints
written down from the guide's FSH files (interop/data/contraintes_ror.json, each with its
commit), checked by interop.conformite."""

import re
from collections import Counter
from datetime import timezone as dt_timezone

import pytest

from interop.conformite import Verificateur, charger
from interop.fhir import avec_offre, pour_lecture, ressources
from interop.personnes import personnes_de
from interop.personnes import contacts_servis
from repertoire.models import Niveau
from tests.factories import concept
from tests.interop_aides import client_api, valider
from tests.test_interop_fhir import api  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
R244 = "https://mos.esante.gouv.fr/NOS/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation"
R338 = "https://mos.esante.gouv.fr/NOS/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil"
R30 = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"
SUITE = ("&_include=HealthcareService:organization&_include:iterate=Organization:partof"
         "&_include=HealthcareService:location&_revinclude=PractitionerRole:service"
         "&_include=PractitionerRole:practitioner")
# The guide's scenario queries, as written in input/pagecontent/specifications_techniques_1.md
# @110dbf8808597551e6891983140071b206867ae4, _2.md @c2d3aec506eb9ecd1b90e5a2641dd1d3c825b798,
# _3.md @0b9cf033c722fdf28e24e983511e7040905915ac, _4.md @e412e0a180d10df8ad4d0ee47913e0ca99b7db2b
# (XXX and the placeholders replaced by values of the demo region).
SCENARIOS = [
    "Location?_revinclude=HealthcareService:location",
    "Location?address-postalcode=35,22,29,56&_revinclude=HealthcareService:location",
    "Location?_tag=52&_revinclude=HealthcareService:location",
    "Location?identifier=Location1&_revinclude=HealthcareService:location",
    "Location?_lastUpdated=ge2022-11-06T15:00&_revinclude=HealthcareService:location",
    "Location?_has:HealthcareService:location:identifier=UE1,UE2,UE3&_revinclude=HealthcareService:location",
    "HealthcareService?_include:iterate=HealthcareService:organization&_include=HealthcareService:location"
    "&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner",
    "HealthcareService?organization:above.identifier=XX&_include:iterate=HealthcareService:organization"
    "&_include=HealthcareService:location&_revinclude=PractitionerRole:service",
    "HealthcareService?_lastUpdated=ge2022-11-06T15:00&_include:iterate=HealthcareService:organization"
    "&_include=HealthcareService:location&_revinclude=PractitionerRole:service",
    f"HealthcareService?_tag={R30}|52&_elements=identifier&_include:iterate=HealthcareService:organization",
    f"HealthcareService?specialty={R211}|227" + SUITE,
    f"HealthcareService?specialty={R211}|005,481" + SUITE,
    f"HealthcareService?service-category={R244}|50&characteristic={R338}|01" + SUITE,
    f"HealthcareService?specialty={R211}|013&location.near-insee-code=44162|15|km" + SUITE,
    f"HealthcareService?speciality={R211}|025&location:equipment-type=x|83&_revinclude=Location:healthcareservice",
]


@pytest.fixture(scope="module")
def verificateur():
    return Verificateur(charger())


def test_chaque_contrainte_cite_son_fichier_et_son_commit():
    contraintes = charger()
    for profil in contraintes["profils"].values():
        assert profil["source"]["depot"] == "ansforge/IG-fhir-repertoire-offre-ressources-sante"
        assert len(profil["source"]["commit"]) == 40
    for url, extension in contraintes["extensions"].items():
        if url.startswith("https://interop.esante.gouv.fr/"):
            assert len(extension["source"]["commit"]) == 40, url


def test_le_verificateur_voit_les_ecarts(verificateur):
    """The check is not vacuous: a resource that breaks the guide is reported."""
    from interop.fhir import DESCRIPTION_FERMETURE, PROFIL_HEALTHCARESERVICE

    mauvaise = {"resourceType": "HealthcareService", "id": "1-2-3", "meta": {"profile": [PROFIL_HEALTHCARESERVICE]},
                "specialty": [{"coding": [{"system": R211, "code": "127"}]}, {"coding": [{"system": R211, "code": "126"}]}],
                "type": [{"coding": [{"system": "urn:oid:1.2.3", "code": "99"}]}],
                "notAvailable": [{"id": "closingReopeningDate", "description": "Fermé"}],
                "extension": [{"url": "https://exemple.fr/inconnue", "valueString": "x"}]}
    ecarts = "\n".join(verificateur.verifier(mauvaise))
    for attendu in ("meta.lastUpdated", "identifier", "specialty[operationalActivity] : 2", "characteristic[careMode]",
                    "hors de J20", "urn:oid", DESCRIPTION_FERMETURE, "extension inconnue",
                    "ror-healthcareservice-sensitive-unit]"):
        assert attendu in ecarts, attendu


J51_SYSTEMES = ("https://mos.esante.gouv.fr/NOS/TRE_R266-FamilleActiviteOperationnelleHorsSerafin/FHIR/"
                "TRE-R266-FamilleActiviteOperationnelleHorsSerafin",
                "https://mos.esante.gouv.fr/NOS/TRE_R265-PrestationPilotageSerafin/FHIR/TRE-R265-PrestationPilotageSerafin")


def _elements_du_lieu_et_de_la_famille(ressource: dict) -> list[str]:
    trouves = []
    if ressource.get("type") and ressource["resourceType"] == "Location":
        trouves.append("Location.type")
    if any(e["url"].endswith("/ror-location-residential-capacity") for e in ressource.get("extension", [])):
        trouves.append("residential-capacity")
    if any(c["coding"][0]["system"] in J51_SYSTEMES for c in ressource.get("specialty", [])):
        trouves.append("operationalActivityFamily")
    return trouves


def test_le_verificateur_voit_les_ecarts_du_lieu_et_de_la_famille(verificateur):
    """Location.type outside J198, a housing without its type, two families or one outside J51 are reported."""
    from interop.fhir import PROFIL_HEALTHCARESERVICE, PROFIL_LOCATION

    lieu = {"resourceType": "Location", "id": "1", "meta": {"profile": [PROFIL_LOCATION]},
            "address": {"line": ["12 BOULEVARD DES LILAS"], "_line": [{"extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetNameType", "valueString": "BOULEVARDE"}]}]},
            "type": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R343-FonctionLieu/FHIR/"
                                            "TRE-R343-FonctionLieu", "code": "999"}]}],
            "extension": [{"url": "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                                  "ror-location-residential-capacity",
                           "extension": [{"url": "residentialNumber", "valueInteger": 3}]}]}
    ecarts = "\n".join(verificateur.verifier(lieu))
    assert "TRE-R343-FonctionLieu|999 hors de J198" in ecarts
    assert "code « BOULEVARDE » hors de J219" in ecarts  # address.line's streetNameType (required binding)
    assert "ror-location-residential-capacity#residentialType : 0 élément(s), attendu 1..1" in ecarts
    offre = {"resourceType": "HealthcareService", "id": "1-2-3", "meta": {"profile": [PROFIL_HEALTHCARESERVICE]},
             "specialty": [{"coding": [{"system": R211, "code": "127"}]},
                           {"coding": [{"system": J51_SYSTEMES[0], "code": "04"}]},
                           {"coding": [{"system": J51_SYSTEMES[1], "code": "999"}]}]}
    ecarts = "\n".join(verificateur.verifier(offre))
    assert "specialty[operationalActivityFamily] : 2 élément(s), attendu 0..1" in ecarts
    assert "TRE-R265-PrestationPilotageSerafin|999 hors de J51" in ecarts


def test_region_de_demo_et_scenarios_du_guide_conformes(client, region, verificateur, capsys):
    from demo.region import generer

    generer()
    api = client_api(client, region)
    controlees, violations, elements_nouveaux = Counter(), [], Counter()
    for type_ressource, niveaux in (("Organization", [Niveau.EJ, Niveau.EG, Niveau.OI]),
                                    ("HealthcareService", [Niveau.UO]), ("Location", [Niveau.UO])):
        queryset = pour_lecture(type_ressource).filter(niveau__in=niveaux)
        if type_ressource == "HealthcareService":
            queryset = avec_offre(queryset)
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        assert len(ids) > 1000
        for debut in range(0, len(ids), 500):
            for ressource in ressources(type_ressource, list(queryset.filter(pk__in=ids[debut:debut + 500]))):
                violations += verificateur.verifier(ressource)
                controlees[type_ressource] += 1
                elements_nouveaux.update(_elements_du_lieu_et_de_la_famille(ressource))
    # Every person: the units' responsables and the EGs' directors, as Practitioner and PractitionerRole.
    contacts = list(contacts_servis().select_related("structure"))
    assert len(contacts) > 100
    for type_ressource in ("Practitioner", "PractitionerRole"):
        for debut in range(0, len(contacts), 500):
            lot = contacts[debut:debut + 500]
            structures = {s.pk: s for s in pour_lecture("HealthcareService").filter(
                pk__in=[c.structure_id for c in lot if c.structure.niveau == Niveau.UO])}
            structures.update({s.pk: s for s in pour_lecture("Organization").filter(
                pk__in=[c.structure_id for c in lot if c.structure.niveau != Niveau.UO])})
            for s in structures.values():
                s._pf_contacts = []
            for c in lot:
                structures[c.structure_id]._pf_contacts.append(c)
            for ressource in personnes_de(list(structures.values()), type_ressource):
                violations += verificateur.verifier(ressource)
                controlees[type_ressource] += 1
    assert controlees["PractitionerRole"] > 100
    # The place's function, its housing and the activity family are served (and so checked), not absent.
    print(f"lieu et famille servis : {dict(elements_nouveaux)}")
    assert min(elements_nouveaux[e] for e in ("Location.type", "residential-capacity", "operationalActivityFamily")) > 100
    for ressource_type, nombre in controlees.items():
        print(f"{ressource_type}: {nombre} ressources contrôlées")
    scenarios = 0
    for requete in SCENARIOS:
        reponse = api.get(f"/fhir/{requete}")
        assert reponse.status_code == 200, (requete, reponse.content[:300])
        bundle = reponse.json()
        valider(bundle)
        for entree in bundle.get("entry", []):
            if entree["search"]["mode"] != "outcome":
                violations += verificateur.verifier(entree["resource"])
                scenarios += 1
    print(f"scénarios du guide : {len(SCENARIOS)} requêtes, réponse 200, {scenarios} ressources contrôlées")
    print(f"ressources contrôlées : {sum(controlees.values()) + scenarios}, violations : {len(violations)}")
    print(f"liaisons non vérifiables (jeu absent de fixtures/nomenclatures) : {dict(verificateur.non_verifiables)}")
    genres = Counter(re.sub(r"^\S+ ", "", v) for v in violations)
    assert violations == [], "\n".join(f"{n} × {g}" for g, n in genres.most_common(30))


# The guide's expressions of the capacity search parameters (input/fsh/instances/, ansforge/IG-fhir-
# repertoire-offre-ressources-sante): ror-sp-nb-capacity.fsh @22caa2fcb7bfe41b1b719c2e5dbbde98495665fb as
# written; ror-sp-capacity-update-date.fsh @07e5b76d84beabdb321c37753dbf265069cd9854 writes
# `.extension(url='capacityUpdateDate')` under a `…/ig/fhir/ror30/…` canonical, which FHIRPath reads as
# extension(false) on an extension no resource carries: evaluated here as nb-capacity's is written, on the
# ror-location-supported-capacity canonical of the profile.
CAPACITE = "Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/" \
           "ror-location-supported-capacity')"
EXPRESSION_NB_CAPACITY = f"{CAPACITE}.extension.where(url='nbCapacity').valueInteger"
EXPRESSION_CAPACITY_UPDATE_DATE = f"{CAPACITE}.extension.where(url='capacityUpdateDate').valueDateTime"


def _correspond(valeurs, prefixe: str, debut, fin) -> bool:
    """FHIR's comparators on a collection (any value), the search value being the range [debut, fin)."""
    tests = {"eq": lambda v: debut <= v < fin, "ne": lambda v: not debut <= v < fin, "gt": lambda v: v >= fin,
             "sa": lambda v: v >= fin, "ge": lambda v: v >= debut, "lt": lambda v: v < debut,
             "eb": lambda v: v < debut, "le": lambda v: v < fin}
    return any(tests[prefixe](v) for v in valeurs)


def test_nb_capacity_et_capacity_update_date_verifies_par_les_expressions_du_guide(api, region):
    """Location?nb-capacity and ?capacity-update-date with every comparator: the places found are exactly
    those whose capacities, read with the guide's FHIRPath expressions (fhirpathpy), match."""
    from datetime import datetime, timedelta

    from fhirpathpy import evaluate

    from disponibilites.services.saisie_lits import LigneSaisie, saisir_lits
    from repertoire.services import droits, offre

    offre.modifier_structure(None, region.uo_aj, {"places_installees": 8}, raison="test")
    droits.accorder_droit(region.gestionnaire, region.referent_autre, "saisie_lits", region.ch)
    saisir_lits(region.referent_autre, [LigneSaisie(uo=region.uo_rea, disponibles=3, supplementaires=2,
                                                    fermes=None)])
    # Capacities dated apart: the day care's places two days ago, the supplementary beds yesterday.
    from django.utils import timezone

    from disponibilites.models import SituationLits
    from repertoire.models import Structure

    maintenant = timezone.now()
    Structure.objects.filter(pk=region.uo_aj.pk).update(modifie_le=maintenant - timedelta(days=2))
    SituationLits.objects.filter(uo=region.uo_rea).update(supplementaires_le=maintenant - timedelta(days=1))
    lieux = {e["resource"]["id"]: e["resource"] for e in api.get("/fhir/Location?_count=200").json()["entry"]}
    nombres = {i: evaluate(r, EXPRESSION_NB_CAPACITY) for i, r in lieux.items()}
    dates = {i: [datetime.fromisoformat(d) for d in evaluate(r, EXPRESSION_CAPACITY_UPDATE_DATE)]
             for i, r in lieux.items()}
    assert nombres[str(region.uo_rea.pk)] == [12, 3, 2] and nombres[str(region.uo_aj.pk)] == [8]
    assert nombres[str(region.uo_hp.pk)] == []
    tous_nombres = sorted({n for v in nombres.values() for n in v})
    instants = sorted({d.replace(microsecond=0) for v in dates.values() for d in v})
    assert len(instants) >= 3
    tailles = []
    for prefixe in ("eq", "ne", "gt", "ge", "lt", "le", "sa", "eb"):
        for n in tous_nombres + [5]:
            attendus = {i for i, v in nombres.items() if _correspond(v, prefixe, n, n + 1)}
            bundle = api.get(f"/fhir/Location?nb-capacity={prefixe}{n}").json()
            assert {e["resource"]["id"] for e in bundle.get("entry", [])} == attendus, (prefixe, n)
            tailles.append(len(attendus))
        for instant in instants:
            attendus = {i for i, v in dates.items()
                        if _correspond(v, prefixe, instant, instant + timedelta(seconds=1))}
            valeur = instant.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            bundle = api.get(f"/fhir/Location?capacity-update-date={prefixe}{valeur}").json()
            assert {e["resource"]["id"] for e in bundle.get("entry", [])} == attendus, (prefixe, valeur)
            tailles.append(len(attendus))
    # The comparators did sort the places (neither all nor none every time), and ap has its margin.
    assert api.get("/fhir/Location?nb-capacity=ap11").json()["entry"][0]["resource"]["id"] == str(region.uo_rea.pk)
    refus = api.get("/fhir/Location?nb-capacity=beaucoup")
    assert refus.status_code == 400 and "nb-capacity" in refus.json()["issue"][0]["diagnostics"]
    parametres = {p["name"]: p for r in api.get("/fhir/metadata").json()["rest"][0]["resource"]
                  if r["type"] == "Location" for p in r["searchParam"]}
    assert parametres["nb-capacity"]["type"] == "number"
    assert parametres["capacity-update-date"]["definition"].endswith("/SearchParameter/ror-sp-capacity-update-date")
    assert len(tailles) > 40 and 0 in tailles and any(0 < t < len(lieux) for t in tailles)


# The guide's residential search parameters: ror-sp-residential-type.fsh @d19ea6efcc8fbb3f01bbc9fff4f011b566c5d579
# as written; ror-sp-residential-number.fsh @69c25c351e2332b0cad3480b02bba00c24e69c6b names an older extension
# (…/ci-sis/…/ROR_ResidentialCapacity): evaluated here on the profile's ror-location-residential-capacity.
HABITATION = "Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/" \
             "ror-location-residential-capacity')"
EXPRESSION_RESIDENTIAL_TYPE = f"{HABITATION}.extension('residentialType').valueCodeableConcept.coding.code"
EXPRESSION_RESIDENTIAL_NUMBER = f"{HABITATION}.extension('residentialNumber').valueInteger"


def test_type_du_lieu_habitation_et_famille_recherches_comme_le_guide_les_exprime(api, region):
    """Location?type, ?residential-type, ?residential-number (every comparator) and HealthcareService?specialty
    on the activity family find exactly the resources whose served elements match (fhirpathpy)."""
    from fhirpathpy import evaluate

    from repertoire.services import offre

    offre.modifier_structure(None, region.uo_hp, {"fonction_lieu": concept("J198", "001"),
                                                  "type_habitation": concept("J32", "02"), "nombre_habitations": 42,
                                                  "famille_activite": concept("J51", "04")}, raison="test")
    offre.modifier_structure(None, region.uo_aj, {"type_habitation": concept("J32", "05"), "nombre_habitations": 8},
                             raison="test")
    offre.modifier_structure(None, region.uo_rea, {"type_habitation": concept("J32", "01")}, raison="test")
    lieux = {e["resource"]["id"]: e["resource"] for e in api.get("/fhir/Location?_count=200").json()["entry"]}
    types = {i: evaluate(r, EXPRESSION_RESIDENTIAL_TYPE) for i, r in lieux.items()}
    nombres = {i: evaluate(r, EXPRESSION_RESIDENTIAL_NUMBER) for i, r in lieux.items()}
    assert types[str(region.uo_hp.pk)] == ["02"] and nombres[str(region.uo_hp.pk)] == [42]
    assert types[str(region.uo_rea.pk)] == ["01"] and nombres[str(region.uo_rea.pk)] == []

    def ids(requete):
        reponse = api.get(f"/fhir/{requete}")
        assert reponse.status_code == 200, reponse.content[:300]
        return {e["resource"]["id"] for e in reponse.json().get("entry", []) if e["search"]["mode"] == "match"}

    for code in ("01", "02", "05", "07"):
        assert ids(f"Location?residential-type=https://mos.esante.gouv.fr/NOS/TRE_R242-TypeHabitation/FHIR/"
                   f"TRE-R242-TypeHabitation|{code}") == {i for i, v in types.items() if code in v}
    tailles = []
    for prefixe in ("eq", "ne", "gt", "ge", "lt", "le", "sa", "eb"):
        for n in (8, 20, 42, 50):
            attendus = {i for i, v in nombres.items() if _correspond(v, prefixe, n, n + 1)}
            assert ids(f"Location?residential-number={prefixe}{n}") == attendus, (prefixe, n)
            tailles.append(len(attendus))
    assert 0 in tailles and 2 in tailles and 1 in tailles
    assert ids("Location?type=001") == {str(region.uo_hp.pk)} == {i for i, r in lieux.items() if r.get("type")}
    assert ids("Location?type=https://mos.esante.gouv.fr/NOS/TRE_R343-FonctionLieu/FHIR/TRE-R343-FonctionLieu|999") == set()

    famille = ("https://mos.esante.gouv.fr/NOS/TRE_R266-FamilleActiviteOperationnelleHorsSerafin/FHIR/"
               "TRE-R266-FamilleActiviteOperationnelleHorsSerafin|04")
    offres = {e["resource"]["id"]: e["resource"] for e in api.get("/fhir/HealthcareService?_count=200").json()["entry"]}
    avec_famille = {i for i, r in offres.items()
                    if "04" in evaluate(r, "HealthcareService.specialty.coding.where(system='"
                                           + famille.split("|")[0] + "').code")}
    assert avec_famille and all(i.startswith(f"{region.uo_hp.pk}-") for i in avec_famille)
    assert ids(f"HealthcareService?specialty={famille}") == avec_famille
    refus = api.get("/fhir/Location?residential-number=beaucoup")
    assert refus.status_code == 400 and "residential-number" in refus.json()["issue"][0]["diagnostics"]
    parametres = {p["name"]: p for r in api.get("/fhir/metadata").json()["rest"][0]["resource"]
                  if r["type"] == "Location" for p in r["searchParam"]}
    assert parametres["residential-number"]["type"] == "number"
    assert parametres["residential-type"]["definition"].endswith("/SearchParameter/ror-sp-residential-type")
    assert parametres["type"]["definition"] == "http://hl7.org/fhir/SearchParameter/Location-type"


# The guide's Location parameters (ror-serveur.fsh @7197940fbc3eddd61149790a71852ae0788ae85f): core
# address-city, status, operational-status; equipment-type as ror-sp-equipment-type.fsh
# @6c6ea2e67b8f0542389f75ed0619829974219d41 writes it, but `value.as(CodeableConcept)` read as
# valueCodeableConcept (fhirpathpy on plain JSON knows no choice types: `.value` finds nothing).
EXPRESSIONS_LIEU = {
    "address-city": "Location.address.city",
    "status": "Location.status",
    "operational-status": "Location.operationalStatus.code",
    "equipment-type": "Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                      "ror-location-equipment').extension.where(url='equipmentType').valueCodeableConcept.coding.code",
}


def test_statut_ville_et_equipement_des_lieux_recherches_comme_le_guide_les_exprime(api, region):
    from fhirpathpy import evaluate

    from nomenclatures.models import Commune
    from nomenclatures.texte import normaliser
    from repertoire.models import Etat, Structure
    from repertoire.services import offre

    offre.modifier_structure(None, region.uo_aj, {"commune": Commune.objects.get(code_insee="49099")}, raison="test",
                             m2m={"equipements": [concept("J18", "003")]})
    offre.modifier_structure(None, region.uo_rea, {}, m2m={"equipements": [concept("J18", "003"), concept("J18", "005")]},
                             raison="test")
    Structure.objects.filter(pk=region.uo_aj.pk).update(etat=Etat.FERME)
    lieux = {e["resource"]["id"]: e["resource"] for e in api.get("/fhir/Location?_count=200").json()["entry"]}
    valeurs = {nom: {i: evaluate(r, expression) for i, r in lieux.items()} for nom, expression in EXPRESSIONS_LIEU.items()}

    def ids(requete):
        reponse = api.get(f"/fhir/Location?{requete}")
        assert reponse.status_code == 200, reponse.content[:300]
        return {e["resource"]["id"] for e in reponse.json().get("entry", []) if e["search"]["mode"] == "match"}

    villes = {"angers": {"angers"}, "CHOL": {"chol"}, "Chôlet,Angers": {"cholet", "angers"}, "Nantes": {"nantes"}}
    for recherche, debuts in villes.items():
        attendus = {i for i, v in valeurs["address-city"].items() if any(normaliser(c).startswith(d) for c in v
                                                                           for d in debuts)}
        assert ids(f"address-city={recherche}") == attendus, recherche
    for statut in ("active", "inactive", "active,inactive"):
        assert ids(f"status={statut}") == {i for i, v in valeurs["status"].items() if v[0] in statut.split(",")}
    for code in ("1", "2", "3"):
        attendus = {i for i, v in valeurs["operational-status"].items() if code in v}
        assert ids(f"operational-status=https://mos.esante.gouv.fr/NOS/TRE_R203-StatutLieu/FHIR/TRE-R203-StatutLieu"
                   f"|{code}") == attendus
    assert ids("operational-status=1") == {str(region.uo_aj.pk)}
    for code in ("003", "005", "009"):
        assert ids(f"equipment-type={code}") == {i for i, v in valeurs["equipment-type"].items() if code in v}
    assert ids("equipment-type=005") == {str(region.uo_rea.pk)}
    assert len(ids("address-city=Angers,Cholet")) == len(lieux) > ids("address-city=Cholet").__len__() > 0
    refus = api.get("/fhir/Location?status=suspended")
    assert refus.status_code == 400 and "status" in refus.json()["issue"][0]["diagnostics"]


# ror-sp-organization-period-end.fsh @9261786ca3af2c66b577486e8dd5a7a8d79b2c31, as written.
EXPRESSION_PERIOD_END = ("Organization.extension.where(url='http://hl7.org/fhir/StructureDefinition/"
                         "organization-period').valuePeriod.end")


def test_period_end_des_organisations_recherche_comme_le_guide_l_exprime(api, region):
    from datetime import date, timedelta

    from fhirpathpy import evaluate

    from repertoire.models import Structure

    Structure.objects.filter(pk=region.ehpad.pk).update(date_fermeture=date(2025, 6, 30))
    Structure.objects.filter(pk=region.autre_ej.pk).update(date_fermeture=date(2026, 1, 15))
    organisations = {e["resource"]["id"]: e["resource"]
                     for e in api.get("/fhir/Organization?_count=200").json()["entry"]}
    fins = {i: [date.fromisoformat(d) for d in evaluate(r, EXPRESSION_PERIOD_END)] for i, r in organisations.items()}
    assert sorted(d for v in fins.values() for d in v) == [date(2025, 6, 30), date(2026, 1, 15)]
    tailles = []
    for prefixe in ("eq", "ne", "gt", "ge", "lt", "le", "sa", "eb"):
        for jour in (date(2025, 6, 30), date(2025, 12, 31), date(2026, 1, 15), date(2026, 6, 1)):
            attendus = {i for i, v in fins.items() if _correspond(v, prefixe, jour, jour + timedelta(days=1))}
            bundle = api.get(f"/fhir/Organization?period-end={prefixe}{jour.isoformat()}").json()
            assert {e["resource"]["id"] for e in bundle.get("entry", [])} == attendus, (prefixe, jour)
            tailles.append(len(attendus))
    assert {0, 1, 2} <= set(tailles)
    assert {e["resource"]["id"] for e in api.get("/fhir/Organization?period-end=2026").json()["entry"]} == {
        str(region.autre_ej.pk)}
    parametres = {p["name"]: p for r in api.get("/fhir/metadata").json()["rest"][0]["resource"]
                  if r["type"] == "Organization" for p in r["searchParam"]}
    assert parametres["period-end"]["type"] == "date"
    assert parametres["period-end"]["definition"].endswith("/SearchParameter/ror-sp-organization-period-end")
