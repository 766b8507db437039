"""NOS code systems: from our Concept.systeme (an OID or a TRE name) to the FHIR
system URL `https://mos.esante.gouv.fr/NOS/<TRE>/FHIR/<TRE with dashes>`.

The OIDs come from the NOS files; their TRE are those the ANS publishes for
each OID (CodeSystem.identifier). An OID we do not know stays `urn:oid:<OID>`,
which FHIR accepts as a system.
"""

from collections import namedtuple
from functools import lru_cache

from nomenclatures.models import Concept

TRE_PAR_OID = {
    "1.2.250.1.213.3.3.11": "TRE_R210-ActeSpecifique",
    "1.2.250.1.213.3.3.10": "TRE_R212-Equipement",
    "1.2.250.1.213.3.3.41": "TRE_R245-SpecialisationDePriseEnCharge",
    "1.2.250.1.213.3.3.37": "TRE_R243-CompetenceSpecifique",
    "1.2.250.1.213.3.3.246": "TRE_R356-ProfessionRessource",
    "1.2.250.1.71.1.2.7": "TRE_G15-ProfessionSante",
    "1.2.250.1.213.2.28": "TRE_R38-SpecialiteOrdinale",
    "1.2.250.1.213.3.3.13": "TRE_R213-ModePriseEnCharge",
    "1.2.250.1.213.3.3.31": "TRE_R240-TemporaliteAccueil",
    "1.2.250.1.213.3.3.221": "TRE_R338-ModaliteAccueil",
    "1.2.250.1.213.3.3.27": "TRE_R238-OuvertureAnnuelle",
    "1.2.250.1.213.3.3.228": "TRE_R344-NiveauExpertise",
    "1.2.250.1.213.3.3.52": "TRE_R253-TypeMaternite",  # in JDV_J227 (TRE_R253 CodeSystem, terminologies ANS)
    "1.2.250.1.213.3.3.33": "TRE_R241-AideFinanciere",
    "1.2.250.1.213.3.3.39": "TRE_R244-CategorieOrganisation",
    "1.2.250.1.213.3.3.8": "TRE_R207-TypeOrganisationInterne",
    "1.2.250.1.213.1.6.1.8": "TRE_R66-CategorieEtablissement",
    "1.2.250.1.71.4.2.4": "TRE_R02-SecteurActivite",
    "1.2.250.1.213.1.6.1.44": "TRE_R72-FinessStatutJuridique",
    "1.2.250.1.213.3.3.1": "TRE_R200-CanalCommunication",
    "1.2.250.1.213.1.1.4.344": "TRE_R283-NiveauConfidentialite",
    "1.2.250.1.213.3.3.212": "TRE_R329-NatureCapacite",
    "1.2.250.1.213.3.3.213": "TRE_R330-TypeStatutCapacite",
    # CodeSystem.identifier of the NOS CodeSystems (ansforge/IG-NOS @b8b0cc32cc5e1471d417d6d3a3dd17bfb0fce3e9).
    "1.2.250.1.213.3.3.48": "TRE_R251-FonctionContact",
    "1.2.250.1.213.3.3.50": "TRE_R252-TypeHoraire",
    "1.2.250.1.213.3.3.3": "TRE_R202-AccessibiliteLieu",
    # JDV_J32 (ValueSet-JDV-J32-TypeHabitation-ROR.json, same commit).
    "1.2.250.1.213.3.3.35": "TRE_R242-TypeHabitation",
}

BASE = "https://mos.esante.gouv.fr/NOS"

# A concept as a page's mapping reads it (plain tuples rather than model instances).
Code = namedtuple("Code", "code systeme libelle")


def url_tre(tre: str) -> str:
    """TRE_R211-ActiviteOperationnelle → https://mos.esante.gouv.fr/NOS/TRE_R211-…/FHIR/TRE-R211-…"""
    return f"{BASE}/{tre}/FHIR/{tre.replace('_', '-')}"


# TRE that carry no OID in our files but are fixed by the national model.
TRE_R211 = url_tre("TRE_R211-ActiviteOperationnelle")
TRE_R227 = url_tre("TRE_R227-ChampActivite")
TRE_R239 = url_tre("TRE_R239-PublicPrisEnCharge")
TRE_R244 = url_tre("TRE_R244-CategorieOrganisation")
TRE_R66 = url_tre("TRE_R66-CategorieEtablissement")
TRE_G07 = url_tre("TRE_G07-TypeIdentifiantStructure")
TRE_R200 = url_tre("TRE_R200-CanalCommunication")
TRE_R283 = url_tre("TRE_R283-NiveauConfidentialite")
TRE_R329 = url_tre("TRE_R329-NatureCapacite")
TRE_R330 = url_tre("TRE_R330-TypeStatutCapacite")
TRE_R331 = url_tre("TRE_R331-TemporaliteCapacite")
TRE_R335 = url_tre("TRE_R335-TypeSourceCapacite")
TRE_R337 = url_tre("TRE_R337-AffectationTemporaire")
# The guide's commune system (RORCommuneCog, JDV_J124-Commune): the communes of France and overseas.
TRE_R13 = url_tre("TRE_R13-CommuneOM")
TRE_R201 = url_tre("TRE_R201-TypeDivisionTerritoriale")
TRE_R30 = url_tre("TRE_R30-RegionOM")
TRE_R04 = url_tre("TRE_R04-Departement")
TRE_R287 = url_tre("TRE_R287-NatureContact")
TRE_R203 = url_tre("TRE_R203-StatutLieu")
TRE_R23 = url_tre("TRE_R23-ModeExercice")
TRE_G15 = url_tre("TRE_G15-ProfessionSante")
FR_CORE_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"


@lru_cache(maxsize=512)
def url_systeme(systeme: str) -> str:
    """The FHIR system URL of a Concept.systeme (OID or TRE name)."""
    systeme = (systeme or "").strip()
    if systeme.startswith("TRE_"):
        return url_tre(systeme)
    if systeme in TRE_PAR_OID:
        return url_tre(TRE_PAR_OID[systeme])
    if systeme and systeme[0].isdigit():
        return f"urn:oid:{systeme}"
    return url_tre(systeme) if systeme else ""


def systemes_pour_url(url: str) -> set[str]:
    """The Concept.systeme values behind a FHIR system URL (for token searches)."""
    return {s for s in Concept.objects.order_by().values_list("systeme", flat=True).distinct() if url_systeme(s) == url}


def coding(concept: Concept | None) -> dict | None:
    if concept is None:
        return None
    return {"system": url_systeme(concept.systeme), "code": concept.code, "display": concept.libelle}


def codeable(concept: Concept | None) -> dict | None:
    """The CodeableConcept of a Concept (or of a prefetched Code): one shared dict per code, built
    once per process (a page maps thousands of them). Callers copy it before changing it."""
    if concept is None:
        return None
    return _codeable(concept.systeme, concept.code, concept.libelle)


@lru_cache(maxsize=8192)
def _codeable(systeme: str, code: str, libelle: str) -> dict:
    return {"coding": [{"system": url_systeme(systeme), "code": code, "display": libelle}]}


def codeable_code(system: str, code: str, display: str = "") -> dict:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return {"coding": [c]}
