"""The offer as FHIR R4 resources of the ANS ROR implementation guide.

EJ and EG → Organization (ror-organization, EG partOf its EJ); UO → Location
(ror-location: where the offer is delivered, with its address, position and
capacities; Location/<UO id>) and one HealthcareService per (UO, activité
opérationnelle, mode de prise en charge) (ror-healthcareservice: the guide's
offer has exactly one specialty[operationalActivity] and one
characteristic[careMode]); its id `<UO id>-<activité>-<mode>` is stable as long as
the unit keeps that activity and mode. A unit without an activity or a mode has no
conformant offer: it is served as a Location only.

Profiles: ansforge/IG-fhir-repertoire-offre-ressources-sante, RORHealthcareService.fsh
@6b200effd4b02b309f1a0ed0f1fac1831f5eb281, RORLocation.fsh @9be76d4957dd945af3a336c95409a3ae538a1cd0,
ROROrganization.fsh @f86c5cea645177d4c433c8dbd0efb3a8a9c7c10e (interop/conformite/contraintes.json
holds the constraints checked by the tests).
Plain dicts (JSON-ready); tests validate them with fhir.resources and interop.conformite.
"""

from collections import namedtuple
from functools import lru_cache

import hashlib

import orjson

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from nomenclatures.cache import ids_du_jeu
from nomenclatures.models import Commune, Concept
from repertoire.extensions import registre
from repertoire.lecture import adresse_propre
from repertoire.models import PROFILS_UNITES_SENSIBLES, Niveau, Structure
from repertoire.version import DUREE_FRAGMENTS, version_offre

from . import nos, personnes

IG = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition"
PROFIL_ORGANIZATION = f"{IG}/ror-organization"
PROFIL_HEALTHCARESERVICE = f"{IG}/ror-healthcareservice"
PROFIL_LOCATION = f"{IG}/ror-location"
EXT_CREATION = f"{IG}/ror-meta-creation-date"
EXT_PATIENT_TYPE = f"{IG}/ror-healthcareservice-patient-type"
EXT_SENSITIVE = f"{IG}/ror-healthcareservice-sensitive-unit"
EXT_TERRITORIAL = f"{IG}/ror-territorial-division"
EXT_ACT_TYPE = f"{IG}/ror-act-type"
EXT_COMMUNE_COG = f"{IG}/ror-commune-cog"
EXT_CAPACITY = f"{IG}/ror-location-supported-capacity"
EXT_TELECOM_CANAL = f"{IG}/ror-telecom-communication-channel"
EXT_TELECOM_CONFIDENTIALITE = f"{IG}/ror-telecom-confidentiality-level"
EXT_GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
EXT_EQUIPEMENT = f"{IG}/ror-location-equipment"
EXT_HABITATION = f"{IG}/ror-location-residential-capacity"
EXT_AIDE_FINANCIERE = f"{IG}/ror-organization-financial-help-type"
EXT_ACCESSIBILITE = f"{IG}/ror-organization-accessibility-location"
EXT_PLACES_AIDE_SOCIALE = f"{IG}/ror-organization-nb-permanent-social-help-place"
EXT_COMMENTAIRE_ORGANISATION = f"{IG}/ror-organization-comment"
EXT_PRIX = f"{IG}/ror-organization-price"
EXT_HORAIRE_TYPE = f"{IG}/ror-available-time-type-of-time"
EXT_HORAIRE_JOUR = f"{IG}/ror-available-time-number-days-of-week"
ADXP = "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-"
SYSTEME_FINESS = "https://finess.esante.gouv.fr"
# ROROrganization.fsh fixes identifier[numSIRET].system = "http://sirene.fr"; FR Core
# (Interop-Sante/hl7.fhir.fr.core input/fsh/profiles/FRCoreOrganizationProfile.fsh
# @0fb6a28e07bdbd83f9e48d534ba74b6939e5fa48) fixes https://sirene.fr for its siren slice. Both are searchable.
SYSTEME_SIRENE = "http://sirene.fr"
SYSTEME_SIREN = "https://sirene.fr"
SYSTEMES_SIRENE = (SYSTEME_SIRENE, SYSTEME_SIREN)
SYSTEME_IDNATST = "urn:oid:1.2.250.1.71.4.2.2"
# identifier[identifierOI] of ROROrganization: type TRE_R345#42, system fixed.
SYSTEME_OI = "https://oi.esante.gouv.fr"
TRE_R345 = "https://mos.esante.gouv.fr/NOS/TRE_R345-TypeIdentifiantAutre/FHIR/TRE_R345-TypeIdentifiantAutre"
# The offer identifier's system as the guide's example writes it
# (input/fsh/examples/RORHealthcareServiceExemple.fsh @4b84da74f496b0dd460ce9cbcd9e9a7210e54c27).
SYSTEME_OFFRE = f"{IG}/identifier"
# notAvailable[closingReopeningDate].description is fixed by the profile.
DESCRIPTION_FERMETURE = "Période de fermeture et de réouverture prévisionnelle"
# Age bounds of a unit that gives none: the model's own limits (ageRange low and high are 1..1).
AGE_MIN_DEFAUT, AGE_MAX_DEFAUT = 0, 150

M2M_UO = ["activites", "actes", "equipements", "specialisations", "competences", "professions",
          "modes_prise_en_charge", "temporalites_accueil", "modalites_accueil", "publics", "territoire"]
# A unit's own concepts (foreign keys), read with its many-to-many values by precharger().
CONCEPTS_UO = ["champ", "type_uo", "ouverture_annuelle", "niveau_expertise", "famille_activite"]
# A place's own concepts (Location.type, residential capacity), read with its equipment.
CONCEPTS_LIEU = ["fonction_lieu", "type_habitation"]


def en_json(donnees: dict) -> bytes:
    """Compact UTF-8 JSON of a resource or a Bundle (orjson: the serialisation is a large part of a page)."""
    return orjson.dumps(donnees)


def instant(dt) -> str | None:
    return dt.isoformat(timespec="milliseconds") if dt else None


def _meta(structure, profil: str) -> dict:
    return {
        "lastUpdated": instant(structure.modifie_le),
        "profile": [profil],
        "tag": [{"system": nos.TRE_R30, "code": settings.ROR_REGION_CODE}],
    }


def _extension_creation(structure) -> dict:
    return {"url": EXT_CREATION, "valueDateTime": instant(structure.cree_le)}


def _sans_vides(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}

# -- address, telecom --------------------------------------------------------

def adresse(structure) -> dict | None:
    """Postal address of a structure (a UO without its own address uses its EG's)."""
    source = structure
    if structure.niveau == Niveau.UO and not (structure.voie or structure.commune_id) and structure.eg_id:
        source = structure.eg
    if not (source.voie or source.commune_id or source.code_postal):
        return None
    extensions = []
    if source.numero_voie:
        extensions.append({"url": ADXP + "houseNumber", "valueString": source.numero_voie})
    if source.type_voie_id:
        extensions.append({"url": ADXP + "streetNameType", "valueString": source.type_voie.code})
    if source.voie:
        extensions.append({"url": ADXP + "streetNameBase", "valueString": source.voie})
    lignes = adresse_propre(source, ville=False)
    code_postal = source.code_postal or (source.commune.codes_postaux[0] if source.commune_id and
                                         source.commune.codes_postaux else "")
    resultat = _sans_vides({
        "use": "work",
        "type": "both",
        "line": lignes,
        "city": source.commune.nom if source.commune_id else "",
        "postalCode": code_postal,
        "country": "FRA",
    })
    if extensions and lignes:
        resultat["_line"] = [{"extension": extensions}] + [None] * (len(lignes) - 1)
    return resultat


def position(structure) -> tuple[float, float] | None:
    for s in (structure, structure.eg if structure.eg_id else None):
        if s is not None and s.latitude is not None and s.longitude is not None:
            return s.latitude, s.longitude
    return None


# -- Organization (EJ, EG) ---------------------------------------------------------

def _identifiant(type_code: str, type_libelle: str, fr_core: str, systeme: str, valeur: str,
                 use: str | None = None) -> dict:
    """An identifier typed both in TRE_G07 (the ROR's slices) and in FR Core's fr-core-cs-v2-0203
    (the slices of fr-core-organization, discriminated by system and type)."""
    i = {"type": {"coding": [{"system": nos.TRE_G07, "code": type_code, "display": type_libelle},
                             {"system": nos.FR_CORE_0203, "code": fr_core}]},
         "system": systeme, "value": valeur}
    if use:
        i["use"] = use
    return i


def identifiants_organisation(structure) -> list[dict]:
    """idNatSt (1 + FINESS, else 3 + SIRET, else 2 + SIREN, as FR Core defines it), FINESS, SIREN, SIRET;
    an OI: its identifierOI."""
    if structure.niveau == Niveau.OI:
        return [{"type": nos.codeable_code(TRE_R345, "42", "Identifiant OI"), "system": SYSTEME_OI,
                 "value": f"{settings.ROR_REGION_CODE}-{structure.pk}"}]
    ids = []
    idnat = ("1" + structure.finess if structure.finess else "3" + structure.siret if structure.siret
             else "2" + structure.siren if structure.siren else None)
    if idnat:
        ids.append(_identifiant("40", "Identifiant national de structure", "IDNST", SYSTEME_IDNATST, idnat,
                                "official"))
    if structure.finess:
        ids.append(_identifiant("1", "FINESS", "FINEG" if structure.niveau == Niveau.EG else "FINEJ",
                                SYSTEME_FINESS, structure.finess))
    if structure.siren:
        ids.append(_identifiant("2", "SIREN", "SIREN", SYSTEME_SIREN, structure.siren))
    if structure.siret:
        ids.append(_identifiant("3", "SIRET", "SIRET", SYSTEME_SIRENE, structure.siret))
    return ids


def extensions_eg(structure) -> list[dict]:
    """What the guide's EG carries besides its identity: financial help (J31), accessibility (J50),
    social-help places, comment."""
    if structure.niveau != Niveau.EG:
        return []
    resultat = [{"url": EXT_AIDE_FINANCIERE, "valueCodeableConcept": nos.codeable(c)}
                for c in liste(structure, "aides_financieres")]
    if structure.accessibilite_id:
        resultat.append({"url": EXT_ACCESSIBILITE, "valueCodeableConcept": nos.codeable(concept_de(structure,
                                                                                                   "accessibilite"))})
    if structure.places_aide_sociale is not None:
        resultat.append({"url": EXT_PLACES_AIDE_SOCIALE, "valueInteger": structure.places_aide_sociale})
    if structure.commentaire:
        resultat.append({"url": EXT_COMMENTAIRE_ORGANISATION, "valueString": structure.commentaire[:2000]})
    return resultat + [prix(t) for t in tarifs(structure)]


# ror-organization-price (ROROrganizationPrice.fsh @002ae2f2935ecfb6e0ec4f693e1718e4efc1f529): a unit's
# « tarification mensuelle » is what a resident pays for lodging, the guide's « forfait socle
# hébergement » (J36 02) by the month (J205 3, JDV_J205-UnitePrix-ROR from ansforge/IG-NOS).
PRIX_TYPE = nos.codeable_code(nos.url_tre("TRE_R246-TypeTarif"), "02", "Forfait socle hébergement")
PRIX_UNITE = nos.codeable_code(nos.url_tre("TRE_R228-UnitePrix"), "3", "Tarif mensuel")


def prix(montant) -> dict:
    return {"url": EXT_PRIX, "extension": [
        {"url": "priceType", "valueCodeableConcept": PRIX_TYPE},
        {"url": "priceUnit", "valueCodeableConcept": PRIX_UNITE},
        {"url": "amount", "valueMoney": {"value": float(montant), "currency": "EUR"}},
    ]}


def tarifs(eg) -> list:
    """The distinct monthly prices of an EG's units (not the sensitive ones: a price names no unit, but
    their data stays out of what every consumer reads), prefetched by precharger_tarifs() or read now."""
    valeurs = getattr(eg, "_pf_tarifs", None)
    if valeurs is None:
        precharger_tarifs([eg])
        valeurs = eg._pf_tarifs
    return valeurs


def precharger_tarifs(structures) -> None:
    par_id = {s.pk: s for s in structures}
    for s in structures:
        s._pf_tarifs = []
    for eg_id, montant in (Structure.objects.uo().filter(eg_id__in=list(par_id), tarif_mensuel__isnull=False,
                                                         unite_sensible=False)
                           .order_by("eg_id", "tarif_mensuel").distinct().values_list("eg_id", "tarif_mensuel")):
        par_id[eg_id]._pf_tarifs.append(montant)


def organization(structure) -> dict:
    """An EJ, an EG or an OI as a ror-organization."""
    types = []
    for champ_fk in ("type_oi", "categorie", "statut_juridique"):
        if getattr(structure, f"{champ_fk}_id"):
            types.append(nos.codeable(concept_de(structure, champ_fk)))
    adr = adresse(structure)
    pos = position(structure) if structure.niveau == Niveau.EG else None
    if adr is not None and pos is not None:
        adr["extension"] = [{"url": EXT_GEOLOCATION, "extension": [
            {"url": "latitude", "valueDecimal": round(pos[0], 6)},
            {"url": "longitude", "valueDecimal": round(pos[1], 6)},
        ]}]
    extensions = [_extension_creation(structure)] + extensions_eg(structure)
    if structure.date_ouverture or structure.date_fermeture:
        extensions.append({"url": "http://hl7.org/fhir/StructureDefinition/organization-period",
                           "valuePeriod": _sans_vides({
                               "start": structure.date_ouverture.isoformat() if structure.date_ouverture else None,
                               "end": structure.date_fermeture.isoformat() if structure.date_fermeture else None})})
    nom = structure.nom_officiel or structure.nom
    return _sans_vides({
        "resourceType": "Organization",
        "id": str(structure.pk),
        "meta": _meta(structure, PROFIL_ORGANIZATION),
        "extension": extensions,
        "identifier": identifiants_organisation(structure),
        "active": not structure.est_ferme,
        "type": types,
        "name": nom,
        "alias": [structure.nom] if structure.nom and structure.nom != nom else [],
        "telecom": personnes.telecoms_mss(structure),
        "address": [adr] if adr else [],
        "partOf": {"reference": f"Organization/{structure.parent_id}"} if structure.niveau != Niveau.EJ else None,
        "contact": personnes.contacts_organisation(structure),
    })


# An EJ's, EG's or OI's own concepts, read with its many-to-many values by precharger() (joined, they
# cost four model instances per row, a sixth of an Organization page).
CONCEPTS_ORGANISATION = ["type_oi", "categorie", "statut_juridique", "accessibilite"]


def organizations_queryset():
    return Structure.objects.de_niveaux(Niveau.EJ, Niveau.EG, Niveau.OI).select_related("type_voie", "commune")


# -- HealthcareService (UO) -------------------------------------------------------

def _caracteristique(concept, type_acte: str | None = None) -> dict:
    c = nos.codeable(concept)
    if type_acte:
        c = {**c, "extension": [{"url": EXT_ACT_TYPE, "valueCode": type_acte}]}
    return c


def caracteristiques(uo) -> list[dict]:
    """characteristic besides careMode: temporalité, modalités d'accueil, actes spécifiques…"""
    resultat = [_caracteristique(c) for c in liste(uo, "temporalites_accueil")]
    resultat += [_caracteristique(c) for c in liste(uo, "modalites_accueil")]
    resultat += [_caracteristique(c, "specificAct") for c in liste(uo, "actes")]
    resultat += [_caracteristique(c) for c in liste(uo, "specialisations")]
    resultat += [_caracteristique(c) for c in liste(uo, "professions")]
    resultat += [_caracteristique(c) for c in liste(uo, "competences")]
    for champ_fk in ("ouverture_annuelle", "niveau_expertise"):
        if getattr(uo, f"{champ_fk}_id"):
            resultat.append(_caracteristique(concept_de(uo, champ_fk)))
    return resultat


def caracteristiques_codes(uo) -> list:
    """The codes behind caracteristiques(uo) (a search's characteristic matches one of them or the mode)."""
    codes = []
    for champ_m2m in ("temporalites_accueil", "modalites_accueil", "actes", "specialisations", "professions",
                      "competences"):
        codes += liste(uo, champ_m2m)
    return codes + [c for c in (concept_de(uo, "ouverture_annuelle"), concept_de(uo, "niveau_expertise"))
                    if c is not None]


def _age(valeur: int) -> dict:
    return {"value": valeur, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}


def patientele(uo) -> dict:
    """ror-healthcareservice-patient-type: ageRange 1..1 with low and high 1..1."""
    sous = [{"url": "supportedPatientInfo", "valueCodeableConcept": nos.codeable(p)} for p in liste(uo, "publics")]
    sous.append({"url": "ageRange", "valueRange": {
        "low": _age(uo.age_min if uo.age_min is not None else AGE_MIN_DEFAUT),
        "high": _age(uo.age_max if uo.age_max is not None else AGE_MAX_DEFAUT)}})
    return {"url": EXT_PATIENT_TYPE, "extension": sous}


def zone_intervention(uo) -> list[dict]:
    return [{"url": EXT_TERRITORIAL, "extension": [
        {"url": "typeTerritorialDivision", "valueCodeableConcept": nos.codeable_code(
            nos.TRE_R201, "3", "Commune")},
        {"url": "codeTerritorialDivision", "valueCodeableConcept": nos.codeable_code(nos.TRE_R13, c.code_insee, c.nom)},
    ]} for c in liste(uo, "territoire")]


# Champ d'activité (J20) of a unit that has none, from its discipline: `type` is 1..1.
CHAMP_PAR_DISCIPLINE = {"MCO": "01", "SLD": "01", "SMR": "02", "PSY": "03", "SMA": "03", "MSS": "04", "VIL": "05"}


def champ(uo):
    if uo.champ_id:
        return nos.codeable(concept_de(uo, "champ"))
    return _champ_par_defaut(CHAMP_PAR_DISCIPLINE.get(uo.discipline, "01"))


def _champ_par_defaut(code: str) -> dict:
    cle = f"fhir-champ-J20-{code}"
    valeur = cache.get(cle)
    if valeur is None:
        concept = Concept.objects.filter(nomenclature__cle="J20", code=code).first()
        valeur = nos.codeable(concept) if concept else nos.codeable_code(nos.TRE_R227, code)
        cache.set(cle, valeur, 3600)
    return valeur


Offre = namedtuple("Offre", "uo activite mode")


def id_offre(uo_id: int, activite_code: str, mode_code: str) -> str:
    return f"{uo_id}-{activite_code}-{mode_code}"


def lire_id_offre(valeur: str) -> tuple[int, str, str] | None:
    """`<UO id>-<activité>-<mode>` → its three parts (None if it is not one)."""
    morceaux = valeur.split("-")
    if len(morceaux) != 3 or not morceaux[0].isdigit() or len(morceaux[0]) > 18 or not all(morceaux[1:]):
        return None
    return int(morceaux[0]), morceaux[1], morceaux[2]


def modes_ror() -> set[str]:
    """The modes de prise en charge of the ROR (JDV_J19, characteristic[careMode]'s binding): the
    other TRE_R213 codes are no ROR offer's mode."""
    return set(ids_du_jeu("J19"))


def offres(uo, restriction=None) -> list[Offre]:
    """The unit's offers: one per (activité opérationnelle, mode de prise en charge of J19), in code
    order; `restriction` (search) keeps only those whose activity and mode it accepts."""
    modes = modes_ror()
    resultat = [Offre(uo, a, m) for a in liste(uo, "activites") for m in liste(uo, "modes_prise_en_charge")
                if m.code in modes]
    if restriction is not None:
        resultat = [o for o in resultat if restriction.accepte(o)]
    return resultat


def _commun_aux_offres(uo) -> dict:
    """What every offer of a unit shares, built once per unit (a unit gives several offers)."""
    commun = getattr(uo, "_hs_commun", None)
    if commun is None:
        commun = uo._hs_commun = {
            "extensions": [_extension_creation(uo), {"url": EXT_SENSITIVE, "valueBoolean": bool(uo.unite_sensible)},
                           patientele(uo)] + zone_intervention(uo) + personnes.extensions_contact(uo),
            "category": [nos.codeable(concept_de(uo, "type_uo"))] if uo.type_uo_id else [],
            "type": [champ(uo)],
            "telecom": personnes.telecoms_mss(uo),
            "availableTime": horaires(uo),
            "characteristic": caracteristiques(uo),
            # specialty[operationalActivityFamily] 0..1 (J51), the unit's one family for each of its offers.
            "famille": [nos.codeable(concept_de(uo, "famille_activite"))] if uo.famille_activite_id else [],
            "meta": _meta(uo, PROFIL_HEALTHCARESERVICE),
            "identifiant": f"{settings.ROR_REGION_CODE}-",
        }
    return commun


def healthcare_service(offre: Offre) -> dict:
    uo = offre.uo
    commun = _commun_aux_offres(uo)
    ident = id_offre(uo.pk, offre.activite.code, offre.mode.code)
    return _sans_vides({
        "resourceType": "HealthcareService",
        "id": ident,
        "meta": commun["meta"],
        "extension": commun["extensions"],
        "identifier": [{"system": SYSTEME_OFFRE, "value": f"{commun['identifiant']}{ident}"}],
        "active": not uo.est_ferme,
        "providedBy": {"reference": f"Organization/{uo.eg_id}"} if uo.eg_id else None,
        "category": commun["category"],
        "type": commun["type"],
        "specialty": [nos.codeable(offre.activite)] + commun["famille"],
        "location": [{"reference": f"Location/{uo.pk}"}],
        "name": uo.nom,
        "comment": uo.conditions_admission[:1000] if uo.conditions_admission else None,
        "telecom": commun["telecom"],
        "availableTime": commun["availableTime"],
        "characteristic": [_caracteristique(offre.mode)] + commun["characteristic"],
        "notAvailable": [{"id": "closingReopeningDate", "description": DESCRIPTION_FERMETURE,
                          "during": {"start": uo.date_fermeture.isoformat()}}]
        if uo.est_ferme and uo.date_fermeture else [],
    })


def uo_queryset():
    # Its concepts come with precharger(), as plain tuples, and of its EG only the FINESS (that names
    # its people, interop.personnes): joined models would cost an instance each, a quarter of a page.
    return Structure.objects.uo().annotate(eg_finess=F("eg__finess"))


def horaires(structure) -> list[dict]:
    """availableTime: one per opening range, the weekday in ror-available-time-number-days-of-week
    (1 = lundi, as the guide prefers it to daysOfWeek) and its type (J41)."""
    resultat = []
    for h in liste_horaires(structure):
        extensions = [{"url": EXT_HORAIRE_JOUR, "valueInteger": h.jour}]
        if h.type_horaire is not None:
            extensions.insert(0, {"url": EXT_HORAIRE_TYPE, "valueCodeableConcept": nos.codeable(h.type_horaire)})
        resultat.append({"extension": extensions, "availableStartTime": _heure(h.debut),
                         "availableEndTime": _heure(h.fin)})
    return resultat


@lru_cache(maxsize=2048)
def _heure(heure) -> str:
    """HH:MM:SS (FHIR time) of an opening hour: a page has a few distinct ones, strftime cost a fifth
    of its offers' mapping."""
    return heure.strftime("%H:%M:%S")


HoraireLu = namedtuple("HoraireLu", "jour debut fin type_horaire")


def liste_horaires(structure) -> list:
    valeurs = getattr(structure, "_pf_horaires", None)
    if valeurs is None:
        valeurs = [HoraireLu(h.jour, h.debut, h.fin, h.type_horaire)
                   for h in structure.horaires.select_related("type_horaire")]
    return valeurs


def precharger_horaires(structures) -> None:
    from repertoire.models import Horaire

    par_id = {s.pk: s for s in structures}
    for s in structures:
        s._pf_horaires = []
    types = {}
    for sid, jour, debut, fin, type_id, *code in (Horaire.objects.filter(structure_id__in=list(par_id))
                                                  .order_by("structure_id", "jour", "debut")
                                                  .values_list("structure_id", "jour", "debut", "fin", "type_horaire_id",
                                                               *[f"type_horaire__{p}" for p in nos.Code._fields])):
        type_horaire = None if type_id is None else types.setdefault(type_id, nos.Code(*code))
        par_id[sid]._pf_horaires.append(HoraireLu(jour, debut, fin, type_horaire))


Code = nos.Code
CommuneLue = namedtuple("CommuneLue", "code_insee nom")


def precharger(uos, champs=None, concepts=None) -> None:
    """Read the many-to-many values of a page of UO (and, for the full set, the unit's own
    concepts, CONCEPTS_UO; else those of `concepts`) in one plain query and attach them as
    `_pf_<field>` lists and a `_pf_concepts` dict (model instances through prefetch_related cost
    more than the SQL)."""
    ids = [uo.pk for uo in uos]
    propres = CONCEPTS_UO if champs is None else (concepts or [])
    champs = champs or M2M_UO
    table_concept, table_commune = Concept._meta.db_table, Commune._meta.db_table
    morceaux, params = [], []
    for champ in champs:
        through = Structure._meta.get_field(champ).remote_field.through._meta.db_table
        if champ == "territoire":
            # The name by a lookup per row, not a join: a hash of the 35,000 communes would make the
            # whole query a parallel plan, slower to start than the query itself.
            morceaux.append(f"SELECT %s, t.structure_id, NULL::bigint, t.commune_id, '', (SELECT co.nom FROM "
                            f"{table_commune} co WHERE co.code_insee = t.commune_id) FROM {through} t "
                            f"WHERE t.structure_id = ANY((SELECT ids FROM p)::bigint[])")
        else:
            morceaux.append(f"SELECT %s, t.structure_id, c.id, c.code, c.systeme, c.libelle FROM {through} t "
                            f"JOIN {table_concept} c ON c.id = t.concept_id WHERE t.structure_id = ANY((SELECT ids FROM p)::bigint[])")
        params.append(champ)
    for champ in propres:
        colonne = Structure._meta.get_field(champ).column
        morceaux.append(f"SELECT %s, s.id, c.id, c.code, c.systeme, c.libelle FROM {Structure._meta.db_table} s "
                        f"JOIN {table_concept} c ON c.id = s.{colonne} WHERE s.id = ANY((SELECT ids FROM p)::bigint[])")
        params.append(f"fk:{champ}")
    par_id = {uo.pk: uo for uo in uos}
    for uo in uos:
        for champ in champs:
            setattr(uo, f"_pf_{champ}", [])
        if propres:
            # Merged: a unit read by two batches (its place's, its offers') keeps both batches' concepts.
            uo._pf_concepts = {**(getattr(uo, "_pf_concepts", None) or {}), **dict.fromkeys(propres)}
    if not ids:
        return
    partages = {}  # one Code per concept for the page
    with connection.cursor() as curseur:
        # The ids sent once (a CTE), not once per part: dumping them fifteen times cost more than the query.
        curseur.execute("WITH p AS (SELECT %s::bigint[] AS ids) " + " UNION ALL ".join(morceaux), [ids, *params])
        for champ, sid, cid, code, systeme, libelle in curseur.fetchall():
            if champ == "territoire":
                valeur = CommuneLue(code, libelle)
            else:
                valeur = partages.get(cid)
                if valeur is None:
                    valeur = partages[cid] = Code(code, systeme, libelle)
            if champ.startswith("fk:"):
                par_id[sid]._pf_concepts[champ[3:]] = valeur
            else:
                getattr(par_id[sid], f"_pf_{champ}").append(valeur)
    for uo in uos:
        for champ in champs:
            getattr(uo, f"_pf_{champ}").sort(key=lambda x: x[0])


def concept_de(structure, champ: str):
    """A unit's concept (foreign key), prefetched by precharger() or read now."""
    prefetches = getattr(structure, "_pf_concepts", None)
    return prefetches[champ] if prefetches is not None and champ in prefetches else getattr(structure, champ)


def liste(structure, champ: str) -> list:
    """A many-to-many's values, prefetched by uo_queryset() or read now."""
    valeurs = getattr(structure, f"_pf_{champ}", None)
    return valeurs if valeurs is not None else list(getattr(structure, champ).all())


# -- Location (where a UO delivers its offer) --------------------------------------

def _capacite(nature: str, statut: str, nombre: int, date) -> dict:
    """ror-location-supported-capacity: every 1..1 part (capacityType, capacityStatus, temporalityCapacity,
    capacitySourceType as codes; temporaryAssignement from J195) — RORLocationSupportedCapacity.fsh
    @454c360ab13110e22e3343a387cd843623b49f1a."""
    return {"url": EXT_CAPACITY, "extension": [
        {"url": "capacityType", "valueCode": nature},
        {"url": "capacityStatus", "valueCode": statut},
        {"url": "temporalityCapacity", "valueCode": "01"},  # courant
        {"url": "nbCapacity", "valueInteger": nombre},
        {"url": "capacitySourceType", "valueCode": "01"},  # saisie manuelle
        {"url": "capacityUpdateDate", "valueDateTime": instant(date)},
        {"url": "temporaryAssignement", "valueCodeableConcept": nos.codeable_code(nos.TRE_R337, "01", "Aucune")},
    ]}


def capacites(uo, situation: tuple | None) -> list[dict]:
    """Installed beds and places (the unit's own figures), then every TRE_R330 status the unit reported."""
    liste = []
    if uo.lits_installes is not None:
        liste.append(_capacite("01", "01", uo.lits_installes, uo.modifie_le))
    if uo.places_installees is not None:
        liste.append(_capacite("02", "01", uo.places_installees, uo.modifie_le))
    for statut, (nombre, date) in sorted((situation or ({}, None))[0].items()):
        liste.append(_capacite("01", statut, nombre, date))
    return liste


def location(uo, situations: dict | None = None) -> dict:
    """meta.lastUpdated is the latest of the place and its capacities: a new beds figure changes the
    Location a consumer synchronises with _lastUpdated (the guide's capacity scenario 4)."""
    if situations is None:
        situations = registre.situations_lits([uo.pk])
    situation = situations.get(uo.pk)
    source = uo if (uo.voie or uo.commune_id) else (uo.eg or uo)
    extensions = [_extension_creation(uo)]
    if source.commune_id:
        extensions.append({"url": EXT_COMMUNE_COG, "valueCodeableConcept": nos.codeable_code(
            nos.TRE_R13, source.commune.code_insee, source.commune.nom)})
    extensions += [{"url": EXT_EQUIPEMENT, "extension": [{"url": "equipmentType", "valueCodeableConcept":
                                                          nos.codeable(e)}]} for e in liste(uo, "equipements")]
    if uo.type_habitation_id:
        # ror-location-residential-capacity (RORLocationResidentialCapacity.fsh
        # @9ba3ed4670d0894c2f10c7c95b164fe6b66c9c64): residentialType 1..1 (J32), residentialNumber 0..1.
        habitation = [{"url": "residentialType", "valueCodeableConcept": nos.codeable(concept_de(uo, "type_habitation"))}]
        if uo.nombre_habitations is not None:
            habitation.append({"url": "residentialNumber", "valueInteger": uo.nombre_habitations})
        extensions.append({"url": EXT_HABITATION, "extension": habitation})
    extensions += capacites(uo, situation)
    pos = position(uo)
    adr = adresse(uo)
    meta = _meta(uo, PROFIL_LOCATION)
    if situation and situation[1] and situation[1] > uo.modifie_le:
        meta["lastUpdated"] = instant(situation[1])
    return _sans_vides({
        "resourceType": "Location",
        "id": str(uo.pk),
        "meta": meta,
        "extension": extensions,
        "status": "inactive" if uo.est_ferme else "active",
        "type": [nos.codeable(concept_de(uo, "fonction_lieu"))] if uo.fonction_lieu_id else None,  # 0..1, J198
        # J224 (TRE_R203): the portal knows open or closed, not « fermé temporairement ».
        "operationalStatus": ({"system": nos.TRE_R203, "code": "1", "display": "Fermé définitivement"}
                              if uo.est_ferme else {"system": nos.TRE_R203, "code": "3", "display": "Opérationnel"}),
        "name": uo.nom,
        "telecom": [personnes.telecom(s, v) for s, v in personnes.moyens(uo)],
        "address": adr,
        "position": {"latitude": round(pos[0], 6), "longitude": round(pos[1], 6)} if pos else None,
        "managingOrganization": {"reference": f"Organization/{uo.eg_id}"} if uo.eg_id else None,
    })


# What a place reads of its EG: its address and position (adresse(), position()), with its commune's
# name and postcodes. Prefetched (a page's units share a few EG) with these columns only: joined, the
# EG came whole once per unit, half the CPU of a Location page.
CHAMPS_LIEU_EG = ["parent", "nom", "niveau", "numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit",
                  "code_postal", "commune", "latitude", "longitude", "commune__code_insee", "commune__nom",
                  "commune__codes_postaux"]


def locations_queryset():
    egs = Structure.objects.select_related("commune", "type_voie").only(*CHAMPS_LIEU_EG)
    return Structure.objects.uo().select_related("commune", "type_voie").prefetch_related(Prefetch("eg", egs))


NIVEAUX = {"Organization": [Niveau.EJ, Niveau.EG, Niveau.OI], "HealthcareService": [Niveau.UO],
           "Location": [Niveau.UO]}


def pour_le_consommateur(queryset, jeton):
    """The one filter of what a consumer may receive: the units marked sensitive (« accès très
    restreint ») only for the ANS profiles 1 and 4 (repertoire.models.ProfilAcces). `jeton` is a
    JetonApi, a profile number (ViaTrajectoire), or None (nobody known: the strictest)."""
    profil = getattr(jeton, "profil_acces", jeton)
    if profil in PROFILS_UNITES_SENSIBLES:
        return queryset
    return queryset.exclude(niveau=Niveau.UO, unite_sensible=True)


def structures_de(type_ressource: str, jeton):
    """The structures behind one resource type that this consumer may see (units without an
    offer give no HealthcareService). Every read, search, inclusion source and $export starts here."""
    queryset = pour_le_consommateur(pour_lecture(type_ressource).de_niveaux(*NIVEAUX[type_ressource]), jeton)
    return avec_offre(queryset) if type_ressource == "HealthcareService" else queryset


def pour_lecture(type_ressource: str):
    """The queryset of the structures serving one resource type."""
    if type_ressource == "Organization":
        return organizations_queryset()
    if type_ressource == "HealthcareService":
        return uo_queryset()
    return locations_queryset()


class Lot:
    """A batch of structures of one resource type, read once (disponibilités and many-to-many values
    for the whole batch), mapped on demand: a search page maps only the offers it serves."""

    def __init__(self, type_ressource: str, structures, restriction=None):
        self.type_ressource, self.restriction, self.situations = type_ressource, restriction, None
        self.structures = structures
        if type_ressource == "Location":
            self.situations = registre.situations_lits([s.pk for s in structures])
            precharger(structures, ["equipements"], CONCEPTS_LIEU)
        elif type_ressource == "HealthcareService":
            precharger(structures)
            personnes.precharger(structures)
            precharger_horaires(structures)
        else:
            precharger(structures, ["aides_financieres"], CONCEPTS_ORGANISATION)
            precharger_tarifs([s for s in structures if s.niveau == Niveau.EG])
            personnes.precharger(structures)

    def elements(self, structure) -> list:
        """What one structure gives (cheap once the batch is read): its offers, or itself."""
        if self.type_ressource == "HealthcareService":
            return offres(structure, self.restriction)
        return [structure]

    def ressource(self, element) -> dict:
        if self.type_ressource == "HealthcareService":
            return healthcare_service(element)
        if self.type_ressource == "Location":
            return location(element, self.situations)
        return organization(element)

    def ressources(self) -> list[dict]:
        """The batch mapped: HealthcareService gives every offer of each unit (those `restriction` accepts)."""
        return [self.ressource(e) for s in self.structures for e in self.elements(s)]


def ressources(type_ressource: str, structures, restriction=None) -> list[dict]:
    return Lot(type_ressource, structures, restriction).ressources()


def modes_ror_ids() -> list[int]:
    """The TRE_R213 concepts (what units hold) whose code is a J19 mode."""
    r213 = ids_du_jeu("R213")
    return sorted(r213[code] for code in modes_ror() if code in r213)


def _liens(champ: str):
    through = Structure._meta.get_field(champ).remote_field.through
    liens = through.objects.filter(structure_id=OuterRef("pk"))
    return liens.filter(concept_id__in=modes_ror_ids()) if champ == "modes_prise_en_charge" else liens


def nombre_offres():
    """A unit's offer count as an annotation (its activities × its J19 modes, by the link tables' indexes)."""
    def liens(champ):
        return Coalesce(Subquery(_liens(champ).order_by().values("structure_id").annotate(n=Count("pk")).values("n")),
                        0)
    return liens("activites") * liens("modes_prise_en_charge")


def avec_offre(queryset):
    """Units that have at least one offer: an activity and a mode de prise en charge of J19."""
    return queryset.filter(*[Exists(_liens(champ)) for champ in ("activites", "modes_prise_en_charge")])


UNITES_PAR_SONDAGE = 20000  # below this many units, counting their offers by index probes beats scanning the links


def _cle_total(type_ressource: str, queryset) -> str:
    """A search's count is kept under its query and the state of the offer: the version of the offer
    (every write through the services), and what a write outside them still moves (a structure's
    modifie_le, a new one's id). Until that state moves the count stays exact, so it is kept as long
    as the cached pages (DUREE_FRAGMENTS); it was 5 minutes, then seconds to count again."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    etat = (version_offre(), Structure.objects.aggregate(m=Max("modifie_le"), p=Max("pk")))
    cle = f"{type_ressource}|{sql}|{params}|{etat}|{modes_ror_ids() if type_ressource == 'HealthcareService' else ''}"
    return "fhir-total-" + hashlib.sha256(cle.encode()).hexdigest()


def total_connu(type_ressource: str, queryset, restriction=None) -> int | None:
    """The search's exact count if it was counted since the offer last changed (_total=estimate
    gives it, never counts: FHIR lets the server answer an estimate with what it has)."""
    return None if restriction else cache.get(_cle_total(type_ressource, queryset))


def compter(type_ressource: str, queryset, restriction=None) -> int:
    """How many resources a search matches (HealthcareService: offers, those `restriction` accepts)."""
    if type_ressource == "HealthcareService" and restriction:
        return compter_offres(queryset, restriction)
    cle = _cle_total(type_ressource, queryset)
    total = cache.get(cle)
    if total is None:
        total = compter_offres(queryset) if type_ressource == "HealthcareService" else queryset.order_by().count()
        cache.set(cle, total, DUREE_FRAGMENTS)
    return total


def compter_offres(queryset, restriction=None) -> int:
    """How many offers the units of `queryset` give (with `restriction`: those it accepts)."""
    if not restriction:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        activites = Structure.activites.through._meta.db_table
        modes = Structure.modes_prise_en_charge.through._meta.db_table
        with connection.cursor() as curseur:
            if queryset.order_by()[:UNITES_PAR_SONDAGE].count() < UNITES_PAR_SONDAGE:
                # A narrow search (a week's changes): two index probes per unit.
                curseur.execute(f"""SELECT COALESCE(SUM(
                    (SELECT count(*) FROM {activites} a WHERE a.structure_id = u.id) *
                    (SELECT count(*) FROM {modes} m WHERE m.structure_id = u.id AND m.concept_id = ANY(%s))), 0)
                    FROM ({sql}) u(id)""", [modes_ror_ids(), *params])
            else:
                # One pass over each link table (hash aggregates), not two subqueries per unit.
                curseur.execute(f"""SELECT COALESCE(SUM(a.n * m.n), 0) FROM ({sql}) u(id)
                    JOIN (SELECT structure_id, count(*) n FROM {activites} GROUP BY 1) a ON a.structure_id = u.id
                    JOIN (SELECT structure_id, count(*) n FROM {modes} WHERE concept_id = ANY(%s) GROUP BY 1) m
                      ON m.structure_id = u.id""", [*params, modes_ror_ids()])
            return int(curseur.fetchone()[0])
    ids = list(queryset.order_by().values_list("pk", flat=True))
    total = 0
    for debut in range(0, len(ids), 2000):
        lot = list(uo_queryset().filter(pk__in=ids[debut:debut + 2000]))
        precharger(lot)
        total += sum(len(offres(uo, restriction)) for uo in lot)
    return total
