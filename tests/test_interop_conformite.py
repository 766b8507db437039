"""The FHIR API against the ANS ROR guide itself, offline: every resource the demo region
produces (EJ, EG, UO as places and offers) and the guide's scenario URLs pass the constraints
written down from the guide's FSH files (interop/data/contraintes_ror.json, each with its
commit), checked by interop.conformite."""

import re
from collections import Counter

import pytest

from interop.conformite import Verificateur, charger
from interop.fhir import avec_offre, pour_lecture, ressources
from interop.personnes import personnes_de
from interop.personnes import contacts_servis
from repertoire.models import Niveau
from tests.interop_aides import client_api, valider

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


def test_region_de_demo_et_scenarios_du_guide_conformes(client, region, verificateur, capsys):
    from demo.region import generer

    generer()
    api = client_api(client, region)
    controlees, violations = Counter(), []
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
