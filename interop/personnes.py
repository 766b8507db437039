"""Contacts and people of the offer in the ANS ROR guide's terms.

- A unit's contacts → HealthcareService extension `ror-healthcareservice-contact`
  (RORHealthcareServiceContact.fsh @0291a2db3f75b24fb265e2f4d9198cf7ee1286ce, its telecoms in
  `ror-healthcareservice-contact-telecom` @234ed1467ee1c8aa0f247b7b4176832c62bd1504); an EJ's or
  EG's contacts → Organization.contact (ROROrganization.fsh @f86c5cea645177d4c433c8dbd0efb3a8a9c7c10e).
  Purpose from J221 (NatureContact: read from the contact's « nature »), confidentiality the
  contact's own J222 level (« Accès libre » when it has none: the portal's default).
- `telecom` of HealthcareService, Organization and Practitioner is, as the profiles say,
  the MSS boxes (boiteLettreMSS) only; a structure's own phone, fax, e-mail and site are a contact.
- A unit's responsable and an EG's director (with a name) → Practitioner (RORPractitioner.fsh
  @002ae2f2935ecfb6e0ec4f693e1718e4efc1f529): idNat_PS 1..1 is « 3 + FINESS of the EG + / + the
  portal's id of the person » (CI-SIS scheme for staff identified by their structure), so a person
  is served only when the EG has a FINESS. A responsable → one PractitionerRole per offer of the unit
  (RORPractitionerRole.fsh @002ae2f2935ecfb6e0ec4f693e1718e4efc1f529: healthcareService 1..1, code
  1..1 from J229) when the profession can be read from the person's title; an EG's director
  has no offer, so no PractitionerRole (healthcareService 1..1): a Practitioner and a contact.
"""

import re
import unicodedata
from collections import namedtuple
from functools import lru_cache

from repertoire.models import Contact, Niveau

from . import nos

IG = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition"
PROFIL_PRACTITIONER = f"{IG}/ror-practitioner"
PROFIL_PRACTITIONERROLE = f"{IG}/ror-practitionerrole"
EXT_HS_CONTACT = f"{IG}/ror-healthcareservice-contact"
EXT_HS_CONTACT_TELECOM = f"{IG}/ror-healthcareservice-contact-telecom"
EXT_CONFIDENTIALITE = f"{IG}/ror-confidentiality-level"
EXT_FONCTION = f"{IG}/ror-contact-function-contact"
EXT_CONTACT_DESCRIPTION = f"{IG}/ror-contact-description"
EXT_CONTACT_CONFIDENTIALITE = f"{IG}/ror-contact-confidentiality-level"
EXT_TELECOM_CANAL = f"{IG}/ror-telecom-communication-channel"
EXT_TELECOM_CONFIDENTIALITE = f"{IG}/ror-telecom-confidentiality-level"
EXT_CREATION = f"{IG}/ror-meta-creation-date"
EXT_MODE_EXERCICE = f"{IG}/ror-practitionerrole-unit-exercise-mode"
EXT_NOM_EXERCICE = f"{IG}/RORPractitionerRoleName"  # the extension's Id is its name
SYSTEME_IDNATPS = "urn:oid:1.2.250.1.71.4.2.1"  # fixed by RORPractitioner (identifier.system)

# J221 (NatureContact) from the words of a contact's « nature » (free text in the portal).
NATURES = [("rendez", "02", "Prise de rendez-vous"), ("admission", "03", "Admission"),
           ("medical", "04", "Médical"), ("soignant", "05", "Soignant"), ("standard", "06", "Standard"),
           ("secretariat", "07", "Secrétariat"), ("telemedecine", "09", "Télémédecine"),
           ("direction", "10", "Direction"), ("garde", "14", "Garde ou astreinte"),
           ("astreinte", "14", "Garde ou astreinte"), ("accueil", "01", "Accueil")]
# J229 (ProfessionSante) from the words of a person's title; nothing when the title says no profession.
PROFESSIONS = [("pharmacien", "21", "Pharmacien"), ("sage-femme", "50", "Sage-Femme"),
               ("medecin", "10", "Médecin"), ("docteur", "10", "Médecin"), ("dr", "10", "Médecin"),
               ("infirmier", "60", "Infirmier"), ("kinesitherapeute", "70", "Masseur-Kinésithérapeute"),
               ("ergotherapeute", "94", "Ergothérapeute"), ("psychomotricien", "96", "Psychomotricien")]


def _mots(texte: str) -> list[str]:
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z][a-z-]*", sans_accents)


def nature(contact):
    return _nature(contact.libelle or "")


@lru_cache(maxsize=4096)
def _nature(texte: str):
    """J221 of a contact's « nature » (one shared dict per text: a page has a few distinct ones)."""
    for mot in _mots(texte):  # the first telling word: « Secrétariat médical » is a secrétariat
        for cle, code, libelle in NATURES:
            if mot.startswith(cle):
                return nos.codeable_code(nos.TRE_R287, code, libelle)
    return None


def profession(contact):
    mots = _mots(contact.titre)
    for cle, code, libelle in PROFESSIONS:
        if cle in mots or (len(cle) > 3 and any(m.startswith(cle) for m in mots)):
            return nos.codeable_code(nos.TRE_G15, code, libelle)
    return None


def est_mss(email: str) -> bool:
    """A box of the MSS (messagerie sécurisée de santé): its domains end with mssante.fr."""
    return bool(email) and email.lower().rsplit("@", 1)[-1].endswith("mssante.fr")


def confidentialite(contact=None) -> dict:
    niveau = getattr(contact, "confidentialite", None) if contact is not None else None
    return nos.codeable(niveau) if niveau is not None else ACCES_LIBRE


ACCES_LIBRE = nos.codeable_code(nos.TRE_R283, "1", "Accès libre")
CANAUX = {(code, libelle): nos.codeable_code(nos.TRE_R200, code, libelle) for code, libelle in (
    ("1", "Téléphone mobile"), ("2", "Téléphone fixe"), ("6", "Télécopie"), ("3", "Courrier électronique"),
    ("4", "Adresse web"))}


# The first two digits of a number (a mobile starts with 06 or 07), without rewriting the whole string.
DEUX_CHIFFRES = re.compile(r"\D*(\d)\D*(\d)")


def _canal(systeme: str, valeur: str) -> tuple[str, str]:
    if systeme == "phone":
        debut = DEUX_CHIFFRES.match(valeur)
        return (("1", "Téléphone mobile") if debut and debut.group(1) + debut.group(2) in ("06", "07")
                else ("2", "Téléphone fixe"))
    return {"fax": ("6", "Télécopie"), "email": ("3", "Courrier électronique"), "url": ("4", "Adresse web")}[systeme]


def telecom(systeme: str, valeur: str, niveau: dict | None = None) -> dict:
    """A ContactPoint with the ROR's channel (J225) and confidentiality (J222) extensions."""
    code, libelle = _canal(systeme, valeur)
    return {"extension": [
        {"url": EXT_TELECOM_CANAL, "valueCodeableConcept": CANAUX[code, libelle]},
        {"url": EXT_TELECOM_CONFIDENTIALITE, "valueCodeableConcept": niveau or confidentialite()},
    ], "system": systeme, "value": valeur}


def moyens(objet) -> list[tuple[str, str]]:
    """(system, value) of a contact's or a structure's channels."""
    paires = [("phone", getattr(objet, "telephone", "")), ("fax", getattr(objet, "fax", "")),
              ("email", getattr(objet, "email", "")), ("url", getattr(objet, "site_web", ""))]
    return [(s, v) for s, v in paires if v]


def telecoms_mss(objet) -> list[dict]:
    return [telecom("email", objet.email)] if est_mss(getattr(objet, "email", "")) else []


def nom_humain(contact) -> dict | None:
    if not (contact.nom or contact.prenom):
        return None
    nom = {"use": "usual", "family": contact.nom or None, "given": [contact.prenom] if contact.prenom else None}
    if contact.civilite_id:
        nom["prefix"] = [contact.civilite.code]
    return {k: v for k, v in nom.items() if v}


# -- the contacts of a page of structures --------------------------------------------------------

# A contact as the mapping reads it (what precharger() attaches instead of model instances: a page's
# few hundred contacts with their three concepts would cost four instances each).
ContactLu = namedtuple("ContactLu", "pk structure_id libelle titre nom prenom telephone email est_responsable "
                                    "fonction_id civilite_id confidentialite_id fonction civilite confidentialite")
CHAMPS_CONTACT = ContactLu._fields[:12]


def precharger(structures) -> None:
    """Each structure's contacts as `_pf_contacts` (one plain query for the page)."""
    par_id = {s.pk: s for s in structures}
    for s in structures:
        s._pf_contacts = []
    concepts = [f"{champ}__{partie}" for champ in ("fonction", "civilite", "confidentialite")
                for partie in nos.Code._fields]
    partages = {}
    for ligne in (Contact.objects.filter(structure_id__in=list(par_id)).order_by("structure_id", "-est_responsable", "pk")
                  .values_list(*CHAMPS_CONTACT, *concepts)):
        codes = [None if ligne[i] is None else partages.setdefault(ligne[i], nos.Code(*ligne[12 + 3 * k:15 + 3 * k]))
                 for k, i in enumerate((9, 10, 11))]
        par_id[ligne[1]]._pf_contacts.append(ContactLu(*ligne[:12], *codes))


def contacts(structure) -> list:
    valeurs = getattr(structure, "_pf_contacts", None)
    if valeurs is None:
        valeurs = list(structure.contacts.select_related("fonction", "civilite", "confidentialite"))
    return valeurs


class _CoordonneesPropres:
    """The structure's own channels, served as one contact (telecom is for MSS boxes)."""

    def __init__(self, structure, libelle: str):
        self.libelle, self.nom, self.prenom, self.civilite_id, self.fonction_id = libelle, "", "", None, None
        self.telephone, self.email = structure.telephone, "" if est_mss(structure.email) else structure.email
        self.fax, self.site_web = structure.fax, structure.site_web
        self.confidentialite = None


def _tous(structure, libelle: str) -> list:
    propres = _CoordonneesPropres(structure, libelle)
    return ([propres] if moyens(propres) else []) + contacts(structure)


def extensions_contact(uo) -> list[dict]:
    """ror-healthcareservice-contact: the unit's own channels, then each of its contacts."""
    resultat = []
    for c in _tous(uo, "Coordonnées de l'unité"):
        niveau = confidentialite(c)
        sous = []
        nom = nom_humain(c)
        if nom:
            sous.append({"url": "name", "valueHumanName": nom})
        if c.fonction_id:
            sous.append({"url": EXT_FONCTION, "valueCodeableConcept": nos.codeable(c.fonction)})
        but = nature(c)
        if but:
            sous.append({"url": "purposeContact", "valueCodeableConcept": but})
        if c.libelle:
            sous.append({"url": "description", "valueString": c.libelle})
        sous.append({"url": EXT_CONFIDENTIALITE, "valueCodeableConcept": niveau})
        for systeme, valeur in moyens(c):
            canal = telecom(systeme, valeur, niveau)["extension"]
            sous.append({"url": EXT_HS_CONTACT_TELECOM, "extension": canal + [
                {"url": "telecomAddress", "valueString": valeur}]})
        resultat.append({"url": EXT_HS_CONTACT, "extension": sous})
    return resultat


def contacts_organisation(structure) -> list[dict]:
    """Organization.contact: the structure's standard (its own channels), then its contacts."""
    resultat = []
    for c in _tous(structure, "Standard"):
        niveau = confidentialite(c)
        extensions = []
        if c.fonction_id:
            extensions.append({"url": EXT_FONCTION, "valueCodeableConcept": nos.codeable(c.fonction)})
        if c.libelle:
            extensions.append({"url": EXT_CONTACT_DESCRIPTION, "valueString": c.libelle})
        extensions.append({"url": EXT_CONTACT_CONFIDENTIALITE, "valueCodeableConcept": niveau})
        contact = {"extension": extensions}
        but = nature(c)
        if but:
            contact["purpose"] = but
        nom = nom_humain(c)
        if nom:
            contact["name"] = nom
        t = [telecom(s, v, niveau) for s, v in moyens(c)]
        if t:
            contact["telecom"] = t
        resultat.append(contact)
    return resultat


# -- Practitioner, PractitionerRole ---------------------------------------------------------------

def est_personne_servie(contact, structure) -> bool:
    """A unit's responsable or an EG's director, named, of an EG with a FINESS (idNat_PS)."""
    if not contact.nom:
        return False
    if structure.niveau == Niveau.UO:
        return contact.est_responsable and bool(_finess_eg(structure))
    return (structure.niveau == Niveau.EG and bool(structure.finess) and contact.fonction_id is not None
            and contact.fonction.code == "01")


def _finess_eg(structure) -> str:
    if structure.niveau == Niveau.EG:
        return structure.finess
    finess = getattr(structure, "eg_finess", None)  # annotated by fhir.uo_queryset()
    if finess is None:
        finess = structure.eg.finess if structure.eg_id else ""
    return finess


def _meta(structure, profil: str) -> dict:
    """A person's meta is its structure's, as every resource's (fhir._meta; imported here, not at the
    top: fhir imports this module)."""
    from .fhir import _meta

    return _meta(structure, profil)


def practitioner(contact, structure) -> dict:
    from .fhir import instant

    ressource = {
        "resourceType": "Practitioner",
        "id": str(contact.pk),
        "meta": _meta(structure, PROFIL_PRACTITIONER),
        "extension": [{"url": EXT_CREATION, "valueDateTime": instant(structure.cree_le)}],
        "identifier": [{"system": SYSTEME_IDNATPS, "value": f"3{_finess_eg(structure)}/{contact.pk}"}],
        "name": [nom_humain(contact)],
    }
    mss = telecoms_mss(contact)
    if mss:
        ressource["telecom"] = mss
    return ressource


def contacts_servis():
    """The contacts that are people of the API: named responsables of units and directors of EGs,
    of an EG with a FINESS (their idNat_PS)."""
    from django.db.models import Q

    responsables = Q(est_responsable=True, structure__niveau=Niveau.UO) & ~Q(structure__eg__finess="")
    directeurs = Q(fonction__code="01", structure__niveau=Niveau.EG) & ~Q(structure__finess="")
    return Contact.objects.filter(responsables | directeurs).exclude(nom="")


def porteurs(ids: list[int]) -> list[int]:
    """Those of the structures `ids` that have a contact who may be a person of the API (named,
    responsable or director: est_personne_servie decides), by the contacts' structure index."""
    from django.db.models import Q

    avec = set(Contact.objects.filter(structure_id__in=ids).exclude(nom="")
               .filter(Q(est_responsable=True) | Q(fonction__code="01")).values_list("structure_id", flat=True))
    return [i for i in ids if i in avec]


def id_role(contact_id: int, id_offre: str) -> str:
    return f"{contact_id}-{id_offre}"


def practitioner_roles(contact, uo, ids_offres: list[str]) -> list[dict]:
    """One PractitionerRole per offer of the unit its responsable answers for."""
    from .fhir import instant

    code = profession(contact)
    if code is None or uo.niveau != Niveau.UO:
        return []
    nom = [{"url": "exerciseLastName", "valueString": contact.nom}]
    if contact.prenom:
        nom.append({"url": "exerciseFirstName", "valueString": contact.prenom})
    return [{
        "resourceType": "PractitionerRole",
        "id": id_role(contact.pk, ident),
        "meta": _meta(uo, PROFIL_PRACTITIONERROLE),
        "extension": [
            # Salaried: the portal describes establishments' staff, not private practice.
            {"url": EXT_MODE_EXERCICE, "valueCodeableConcept": nos.codeable_code(nos.TRE_R23, "S", "Salarié")},
            {"url": EXT_NOM_EXERCICE, "extension": nom},
            {"url": EXT_CREATION, "valueDateTime": instant(uo.cree_le)},
        ],
        "active": not uo.est_ferme,
        "practitioner": {"reference": f"Practitioner/{contact.pk}"},
        "organization": {"reference": f"Organization/{uo.eg_id}"},
        "location": [{"reference": f"Location/{uo.pk}"}],
        "healthcareService": [{"reference": f"HealthcareService/{ident}"}],
        "code": [code],
    } for ident in ids_offres]


def personnes_de(structures, type_ressource: str, offres_par_uo: dict | None = None) -> list[dict]:
    """The Practitioners (or PractitionerRoles) of a list of structures (contacts prefetched or not)."""
    from .fhir import id_offre, offres

    resultat = []
    for s in structures:
        for c in contacts(s):
            if not est_personne_servie(c, s):
                continue
            if type_ressource == "Practitioner":
                resultat.append(practitioner(c, s))
            elif s.niveau == Niveau.UO:
                ids = (offres_par_uo or {}).get(s.pk)
                if ids is None:
                    ids = [id_offre(o.uo.pk, o.activite.code, o.mode.code) for o in offres(s)]
                resultat += practitioner_roles(c, s, ids)
    return resultat
