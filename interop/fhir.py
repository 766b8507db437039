"""The offer as FHIR R4 resources of the ANS ROR implementation guide.

EJ and EG → Organization (ror-organization, EG partOf its EJ); UO →
HealthcareService (ror-healthcareservice) and Location (ror-location: where
the offer is delivered, with its address, position and capacities). Resource
ids are the Structure ids; Location/<id> is the place of HealthcareService/<id>.
Plain dicts (JSON-ready); tests validate them with fhir.resources.
"""

from collections import namedtuple

from django.conf import settings

from nomenclatures.models import Commune, Concept
from repertoire.extensions import registre
from repertoire.lecture import adresse_propre
from repertoire.models import Niveau, Structure

from . import nos

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
ADXP = "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-"
SYSTEME_FINESS = "https://finess.esante.gouv.fr"
SYSTEME_SIRENE = "https://sirene.fr"
SYSTEME_IDNATST = "urn:oid:1.2.250.1.71.4.2.2"
# Identifier of an offer in this regional portal (no national id yet).
SYSTEME_OFFRE = "https://ror.esante.gouv.fr/offre"

M2M_UO = ["activites", "actes", "equipements", "specialisations", "competences", "professions",
          "modes_prise_en_charge", "temporalites_accueil", "modalites_accueil", "publics", "territoire"]
CONCEPTS_UO = ["champ", "type_uo", "ouverture_annuelle", "niveau_expertise", "type_voie"]


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


def _telecom(systeme: str, valeur: str, canal: str, libelle: str) -> dict:
    return {
        "system": systeme,
        "value": valeur,
        "extension": [
            {"url": EXT_TELECOM_CANAL, "valueCodeableConcept": nos.codeable_code(nos.TRE_R200, canal, libelle)},
            {"url": EXT_TELECOM_CONFIDENTIALITE,
             "valueCodeableConcept": nos.codeable_code(nos.TRE_R283, "1", "Accès libre")},
        ],
    }


def telecoms(structure) -> list[dict]:
    """The structure's own public channels (standard phone, fax, e-mail, website)."""
    t = []
    if structure.telephone:
        t.append(_telecom("phone", structure.telephone, "2", "Téléphone fixe"))
    if structure.fax:
        t.append(_telecom("fax", structure.fax, "6", "Télécopie"))
    if structure.email:
        t.append(_telecom("email", structure.email, "3", "Courrier électronique"))
    if structure.site_web:
        t.append(_telecom("url", structure.site_web, "4", "Adresse web"))
    return t


# -- Organization (EJ, EG) ---------------------------------------------------------

def _identifiant(type_code: str, type_libelle: str, systeme: str, valeur: str, use: str | None = None) -> dict:
    i = {"type": nos.codeable_code(nos.TRE_G07, type_code, type_libelle), "system": systeme, "value": valeur}
    if use:
        i["use"] = use
    return i


def identifiants_organisation(structure) -> list[dict]:
    ids = []
    if structure.finess:
        ids.append(_identifiant("40", "Identifiant national de structure", SYSTEME_IDNATST,
                                "1" + structure.finess, "official"))
        ids.append(_identifiant("1", "FINESS", SYSTEME_FINESS, structure.finess))
    if structure.siren:
        ids.append(_identifiant("2", "SIREN", SYSTEME_SIRENE, structure.siren))
    if structure.siret:
        ids.append(_identifiant("3", "SIRET", SYSTEME_SIRENE, structure.siret))
    return ids


def organization(structure) -> dict:
    """An EJ or an EG as a ror-organization."""
    types = []
    if structure.categorie_id:
        types.append(nos.codeable(structure.categorie))
    if structure.statut_juridique_id:
        types.append(nos.codeable(structure.statut_juridique))
    adr = adresse(structure)
    pos = position(structure) if structure.niveau == Niveau.EG else None
    if adr is not None and pos is not None:
        adr["extension"] = [{"url": EXT_GEOLOCATION, "extension": [
            {"url": "latitude", "valueDecimal": round(pos[0], 6)},
            {"url": "longitude", "valueDecimal": round(pos[1], 6)},
        ]}]
    extensions = [_extension_creation(structure)]
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
        "telecom": telecoms(structure),
        "address": [adr] if adr else [],
        "partOf": {"reference": f"Organization/{structure.ej_id}"} if structure.niveau == Niveau.EG else None,
    })


def organizations_queryset():
    return (Structure.objects.filter(niveau__in=[Niveau.EJ, Niveau.EG])
            .select_related("categorie", "statut_juridique", "type_voie", "commune"))


# -- HealthcareService (UO) -------------------------------------------------------

def _caracteristique(concept, type_acte: str | None = None) -> dict:
    c = nos.codeable(concept)
    if type_acte:
        c["extension"] = [{"url": EXT_ACT_TYPE, "valueCode": type_acte}]
    return c


def caracteristiques(uo) -> list[dict]:
    """characteristic: mode de prise en charge, temporalité, modalités d'accueil, actes spécifiques…"""
    resultat = [_caracteristique(c) for c in liste(uo, "modes_prise_en_charge")]
    resultat += [_caracteristique(c) for c in liste(uo, "temporalites_accueil")]
    resultat += [_caracteristique(c) for c in liste(uo, "modalites_accueil")]
    resultat += [_caracteristique(c, "specificAct") for c in liste(uo, "actes")]
    resultat += [_caracteristique(c) for c in liste(uo, "specialisations")]
    resultat += [_caracteristique(c) for c in liste(uo, "professions")]
    resultat += [_caracteristique(c) for c in liste(uo, "competences")]
    if uo.ouverture_annuelle_id:
        resultat.append(_caracteristique(uo.ouverture_annuelle))
    if uo.niveau_expertise_id:
        resultat.append(_caracteristique(uo.niveau_expertise))
    return resultat


def patientele(uo) -> dict:
    sous = [{"url": "supportedPatientInfo", "valueCodeableConcept": nos.codeable(p)} for p in liste(uo, "publics")]
    if uo.age_min is not None or uo.age_max is not None:
        sous.append({"url": "ageRange", "valueRange": _sans_vides({
            "low": {"value": uo.age_min, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}
            if uo.age_min is not None else None,
            "high": {"value": uo.age_max, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}
            if uo.age_max is not None else None,
        })})
    return {"url": EXT_PATIENT_TYPE, "extension": sous} if sous else None


def zone_intervention(uo) -> list[dict]:
    return [{"url": EXT_TERRITORIAL, "extension": [
        {"url": "typeTerritorialDivision", "valueCodeableConcept": nos.codeable_code(
            nos.TRE_R201, "3", "Commune")},
        {"url": "codeTerritorialDivision", "valueCodeableConcept": nos.codeable_code(nos.TRE_R13, c.code_insee, c.nom)},
    ]} for c in liste(uo, "territoire")]


def healthcare_service(uo) -> dict:
    extensions = [_extension_creation(uo),
                  {"url": EXT_SENSITIVE, "valueBoolean": bool(uo.unite_sensible)}]
    patient = patientele(uo)
    if patient:
        extensions.append(patient)
    extensions += zone_intervention(uo)
    return _sans_vides({
        "resourceType": "HealthcareService",
        "id": str(uo.pk),
        "meta": _meta(uo, PROFIL_HEALTHCARESERVICE),
        "extension": extensions,
        "identifier": [{"system": SYSTEME_OFFRE, "value": f"{settings.ROR_REGION_CODE}-{uo.pk}"}],
        "active": not uo.est_ferme,
        "providedBy": {"reference": f"Organization/{uo.eg_id}"} if uo.eg_id else None,
        "category": [nos.codeable(uo.type_uo)] if uo.type_uo_id else [],
        "type": [nos.codeable(uo.champ)] if uo.champ_id else [],
        "specialty": [nos.codeable(a) for a in liste(uo, "activites")],
        "location": [{"reference": f"Location/{uo.pk}"}],
        "name": uo.nom,
        "comment": uo.conditions_admission[:1000] if uo.conditions_admission else None,
        "telecom": telecoms(uo),
        "characteristic": caracteristiques(uo),
        "notAvailable": [{"id": "closingReopeningDate", "description": "Période de fermeture",
                          "during": {"start": uo.date_fermeture.isoformat()}}]
        if uo.est_ferme and uo.date_fermeture else [],
    })


def uo_queryset():
    return (Structure.objects.filter(niveau=Niveau.UO)
            .select_related(*CONCEPTS_UO, "commune", "eg", "eg__commune", "eg__type_voie"))


Code = namedtuple("Code", "code systeme libelle")
CommuneLue = namedtuple("CommuneLue", "code_insee nom")


def precharger(uos) -> None:
    """Read the many-to-many values of a page of UO in one plain query per relation and attach
    them as `_pf_<field>` lists (model instances through prefetch_related cost more than the SQL)."""
    ids = [uo.pk for uo in uos]
    liens = {}
    for champ in M2M_UO:
        through = Structure._meta.get_field(champ).remote_field.through
        cible = "commune_id" if champ == "territoire" else "concept_id"
        liens[champ] = list(through.objects.filter(structure_id__in=ids).values_list("structure_id", cible))
    concepts = {pk: Code(code, systeme, libelle) for pk, code, systeme, libelle in Concept.objects.filter(
        pk__in={cid for champ, rangs in liens.items() if champ != "territoire" for _, cid in rangs})
        .values_list("pk", "code", "systeme", "libelle")}
    communes = {pk: CommuneLue(pk, nom) for pk, nom in Commune.objects.filter(
        pk__in={cid for _, cid in liens["territoire"]}).values_list("pk", "nom")}
    for uo in uos:
        for champ in M2M_UO:
            setattr(uo, f"_pf_{champ}", [])
    par_id = {uo.pk: uo for uo in uos}
    for champ, rangs in liens.items():
        source = communes if champ == "territoire" else concepts
        for sid, cid in rangs:
            getattr(par_id[sid], f"_pf_{champ}").append(source[cid])
    for uo in uos:
        for champ in M2M_UO:
            getattr(uo, f"_pf_{champ}").sort(key=lambda x: x[0])


def liste(structure, champ: str) -> list:
    """A many-to-many's values, prefetched by uo_queryset() or read now."""
    valeurs = getattr(structure, f"_pf_{champ}", None)
    return valeurs if valeurs is not None else list(getattr(structure, champ).all())


# -- Location (where a UO delivers its offer) --------------------------------------

def _capacite(nature: str, libelle_nature: str, statut: str, libelle_statut: str, nombre: int, date) -> dict:
    return {"url": EXT_CAPACITY, "extension": [
        {"url": "capacityType", "valueCodeableConcept": nos.codeable_code(nos.TRE_R329, nature, libelle_nature)},
        {"url": "capacityStatus", "valueCodeableConcept": nos.codeable_code(nos.TRE_R330, statut, libelle_statut)},
        {"url": "temporalityCapacity", "valueCodeableConcept": nos.codeable_code(nos.TRE_R331, "01", "Courant")},
        {"url": "nbCapacity", "valueInteger": nombre},
        {"url": "capacitySourceType", "valueCodeableConcept": nos.codeable_code(nos.TRE_R335, "01",
                                                                                 "Saisie manuelle")},
        {"url": "capacityUpdateDate", "valueDateTime": instant(date)},
    ]}


def capacites(uo, disponibles: dict) -> list[dict]:
    liste = []
    if uo.lits_installes is not None:
        liste.append(_capacite("01", "Lit", "01", "Installé", uo.lits_installes, uo.modifie_le))
    if uo.places_installees is not None:
        liste.append(_capacite("02", "Place", "01", "Installé", uo.places_installees, uo.modifie_le))
    if uo.pk in disponibles:
        nombre, date = disponibles[uo.pk]
        liste.append(_capacite("01", "Lit", "02", "Disponible", nombre, date))
    return liste


def location(uo, disponibles: dict | None = None) -> dict:
    if disponibles is None:
        disponibles = registre.lits_disponibles([uo.pk])
    source = uo if (uo.voie or uo.commune_id) else (uo.eg or uo)
    extensions = [_extension_creation(uo)]
    if source.commune_id:
        extensions.append({"url": EXT_COMMUNE_COG, "valueCodeableConcept": nos.codeable_code(
            nos.TRE_R13, source.commune.code_insee, source.commune.nom)})
    extensions += capacites(uo, disponibles)
    pos = position(uo)
    adr = adresse(uo)
    return _sans_vides({
        "resourceType": "Location",
        "id": str(uo.pk),
        "meta": _meta(uo, PROFIL_LOCATION),
        "extension": extensions,
        "status": "inactive" if uo.est_ferme else "active",
        "name": uo.nom,
        "address": adr,
        "position": {"latitude": round(pos[0], 6), "longitude": round(pos[1], 6)} if pos else None,
        "managingOrganization": {"reference": f"Organization/{uo.eg_id}"} if uo.eg_id else None,
    })


def locations_queryset():
    return (Structure.objects.filter(niveau=Niveau.UO)
            .select_related("commune", "type_voie", "eg", "eg__commune", "eg__type_voie"))


def pour_lecture(type_ressource: str):
    """(queryset, mapping function) serving one resource type."""
    if type_ressource == "Organization":
        return organizations_queryset(), organization
    if type_ressource == "HealthcareService":
        return uo_queryset(), healthcare_service
    return locations_queryset(), location


def ressources(type_ressource: str, structures) -> list[dict]:
    """Map a page of structures (disponibilités read once for the page)."""
    if type_ressource == "Location":
        disponibles = registre.lits_disponibles([s.pk for s in structures])
        return [location(s, disponibles) for s in structures]
    _, fonction = pour_lecture(type_ressource)
    if type_ressource == "HealthcareService":
        precharger(structures)
    return [fonction(s) for s in structures]


