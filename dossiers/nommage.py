"""The regional naming rules, checked as warnings (the gestionnaire may publish anyway).

Establishments: label in CAPITALS, "[type] [commune]", no accents, no quotes or special
characters, no "DE"/"DU" between the type and the commune. Units: name close to the type
d'UO, with the mode d'accueil and the clientèle for medico-social units, no accents, no
quotes, no "DE"/"DU". Organisations internes: named by their type (« Pole gériatrie »,
« Service de soins infirmiers a domicile »), no accents, no quotes or special characters.
"""

import functools
import re
import unicodedata

from nomenclatures.models import Commune, Concept
from nomenclatures.texte import normaliser
from repertoire.models import Discipline, Niveau

_SPECIAUX = re.compile(r"[^\w\s\-–']|_", re.UNICODE)
_GUILLEMETS = re.compile(r"[\"«»“”‘’]")
_MOTS_VIDES = {"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux", "et", "en", "pour", "avec", "sans",
               "ou", "par", "sur", "un", "une", "hors", "dont"}
_CLIENTELES = ("personnes agees", "alzheimer", "enfant", "adulte", "adolescent", "jeune", "handicap", "autis",
               "polyhandicap", "tous publics", "tout public", "famille", "aidant", "pa ", "ph ", "addict", "precarite",
               "etudiant")
_MODES = ("temporaire", "permanent", "accueil de jour", "jour", "nuit", "domicile", "hebergement", "sequentiel",
          "prestataire", "mandataire", "externat", "internat", "semi internat", "ambulatoire", "ecoute")


# Codes and communes are reference data: read once per process (the rules run on every
# keystroke and on every fiche of a publication).
@functools.lru_cache(maxsize=4096)
def _concept(pk):
    return Concept.objects.filter(pk=pk).first() if pk else None


@functools.lru_cache(maxsize=4096)
def _commune(code):
    return Commune.objects.filter(pk=code).first() if code else None


def _a_des_accents(texte: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", texte))


def _mots(texte: str) -> set[str]:
    return {m for m in normaliser(texte).split() if m not in _MOTS_VIDES and len(m) > 1}


NOMMES = ("nom", "nom_officiel")  # the names the rules apply to (EG and UO; an UO has no nom officiel)


def avertissements_par_champ(niveau: str, donnees: dict) -> dict[str, list[str]]:
    """{field: warnings} for the names of a draft fiche (no key when the name follows the rules).

    The one rule set: the dossier's form asks it while the référent types (view `nommage`),
    the comparison and the publish page show it."""
    trouves = {}
    for champ in NOMMES:
        nom = (donnees.get(champ) or "").strip()
        if not nom or (champ == "nom_officiel" and niveau != Niveau.EG):
            continue
        if niveau == Niveau.EG:
            messages = _regles_etablissement(nom, donnees.get("commune"), donnees.get("categorie"))
        elif niveau == Niveau.UO:
            messages = _regles_unite(nom, donnees.get("type_uo"), donnees.get("discipline"), donnees.get("publics"),
                                     donnees.get("temporalites_accueil"))
        elif niveau == Niveau.OI:
            messages = _regles_organisation(nom, donnees.get("type_oi"))
        else:
            messages = []
        if messages:
            trouves[champ] = messages
    return trouves


def avertissements(niveau: str, donnees: dict) -> list[str]:
    """Naming warnings for a draft fiche (empty list when its names follow the rules)."""
    trouves = avertissements_par_champ(niveau, donnees)
    return trouves.get("nom", []) + [f"Nom officiel : {m}" for m in trouves.get("nom_officiel", [])]


def _sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", texte) if not unicodedata.combining(c))


_HORS_SIGLE = {"de", "du", "des", "d", "la", "le", "les", "l", "pour", "et", "en", "au", "aux"}


def _sigle(libelle: str) -> str:
    """A long category label as establishments are named: « Centre hospitalier » → CH."""
    mots = [m for m in normaliser(libelle).split() if m not in _HORS_SIGLE]
    return "".join(m[0] for m in mots).upper() if len(mots) > 1 else libelle


def exemple_etablissement(categorie_id, commune_id) -> str:
    """"[type d'établissement] [commune]" for this category and commune, e.g. « EHPAD ANGERS »."""
    categorie = _concept(categorie_id)
    commune = _commune(commune_id)
    type_ = (categorie.libelle_court or _sigle(categorie.libelle)) if categorie else "EHPAD"
    return _sans_accents(f"{type_} {commune.nom if commune else 'ANGERS'}").upper().replace("'", " ")


# How the units of the médico-social types are usually named ({mode}: the unit's temporalité,
# « permanent » when none), and their usual clientèle (J34 codes): the example a référent reads
# must look like the unit being named, not like the type's long label.
_EXEMPLES_UO = {
    "21": ("Hebergement {mode}", "personnes agees"), "22": ("Hebergement {mode}", "personnes agees autonomes"),
    "23": ("Hebergement renforce", "personnes agees Alzheimer"),
    "24": ("Hebergement protege", "personnes agees Alzheimer"), "25": ("PASA accueil de jour", "personnes agees"),
    "26": ("Hebergement {mode} petite unite", "personnes agees"),
    "27": ("Hebergement {mode} MARPA", "personnes agees autonomes"),
    "28": ("Soins infirmiers a domicile", "personnes agees"), "29": ("Equipe specialisee a domicile", "Alzheimer"),
    "30": ("Aide a domicile prestataire", "personnes agees"),
    "31": ("Accompagnement a domicile", "adultes handicapes"),
    "32": ("Accompagnement medico-social a domicile", "adultes handicapes"),
    "36": ("Accueil familial {mode}", "personnes agees"), "38": ("Accueil de jour repit", "aidants"),
    "39": ("FAM hebergement {mode}", "adultes handicapes"), "40": ("MAS hebergement {mode}", "adultes handicapes"),
    "41": ("Hebergement {mode}", "adultes handicapes"), "48": ("IME semi internat", "enfants handicapes"),
}
_CLIENTELES_COURTES = {"01": "personnes agees", "02": "personnes handicapees", "03": "personnes agees autonomes",
                       "04": "conduites addictives", "05": "personnes handicapees vieillissantes",
                       "06": "personnes en precarite", "07": "tout public", "08": "etudiants"}  # J29 codes


def exemple_unite(type_uo_id, publics=None, temporalites=None) -> str:
    """A name in the guide's form for this type d'UO, mode d'accueil and clientèle, e.g.
    « Hebergement temporaire – personnes agees » for an EHPAD unit of temporary stay."""
    type_uo = _concept(type_uo_id)
    temporalite = min((c for c in map(_concept, temporalites or []) if c), key=lambda c: c.code, default=None)
    mode = _sans_accents(temporalite.libelle.lower()) if temporalite else "permanent"
    public = min((c for c in map(_concept, publics or []) if c), key=lambda c: c.code, default=None)
    modele, clientele = _EXEMPLES_UO.get(type_uo.code if type_uo else "", (None, "personnes agees"))
    if modele is None:  # another type: its label up to its first comma or parenthesis
        modele = re.split(r"[,(]", type_uo.libelle)[0].strip() + " {mode}" if type_uo else "Accueil de jour"
    if public is not None:
        clientele = _CLIENTELES_COURTES.get(public.code, public.libelle.lower())
    return _sans_accents(f"{modele.format(mode=mode)} – {clientele}").replace("'", " ")


def _regles_communes(nom: str) -> list[str]:
    messages = []
    if _a_des_accents(nom):
        messages.append("Évitez les accents dans le libellé.")
    if _GUILLEMETS.search(nom) or _SPECIAUX.search(nom):
        messages.append("Enlevez les guillemets et autres caractères spéciaux du libellé.")
    return messages


def _regles_etablissement(nom: str, commune_id, categorie_id=None) -> list[str]:
    messages = []
    if nom != nom.upper():
        messages.append("Le libellé de l'établissement s'écrit en MAJUSCULES.")
    messages += _regles_communes(nom)
    commune = _commune(commune_id)
    if commune:
        libelle, ville = normaliser(nom), normaliser(commune.nom)
        if not libelle.endswith(ville):
            messages.append(f"Le libellé suit la forme « [type d'établissement] [commune] », par exemple "
                            f"« {exemple_etablissement(categorie_id, commune_id)} ».")
        elif re.search(rf"\b(de|du|d)\s+{re.escape(ville)}$", libelle):
            messages.append("Évitez « DE » et « DU » entre le type d'établissement et la commune.")
    return messages


def _regles_unite(nom: str, type_uo_id, discipline: str | None, publics=None, temporalites=None) -> list[str]:
    messages = _regles_communes(nom)
    sans_expressions = re.sub(r"\b(accueil|hopital|centre|maison) de (jour|nuit|sante|vie)\b", "", normaliser(nom))
    if re.search(r"\b(de|du)\b", sans_expressions):
        messages.append("Évitez « DE » et « DU » dans le nom de l'unité.")
    type_uo = _concept(type_uo_id)
    if type_uo and not (_mots(nom) & _mots(type_uo.libelle)):
        messages.append(f"Le nom de l'unité reprend son type d'UO (« {type_uo.libelle} »).")
    if discipline == Discipline.MSS:
        texte = normaliser(nom) + " "
        manque = [quoi for quoi, mots in (("la clientèle (personnes âgées, personnes Alzheimer…)", _CLIENTELES),
                                          ("le mode d'accueil (temporaire, accueil de jour…)", _MODES))
                  if not any(m in texte for m in mots)]
        if manque:  # one message, one example, for what is missing
            messages.append(f"Précisez {' et '.join(manque)}, par exemple "
                            f"« {exemple_unite(type_uo_id, publics, temporalites)} ».")
    return messages


_EXEMPLES_OI = {"1": "Pole geriatrie", "2": "Service de geriatrie", "3": "Unite fonctionnelle geriatrie aigue",
                "4": "Unite elementaire consultations memoire"}  # J203 codes


def _regles_organisation(nom: str, type_oi_id) -> list[str]:
    messages = _regles_communes(nom)
    type_oi = _concept(type_oi_id)
    if type_oi and not (_mots(nom) & _mots(type_oi.libelle)):
        exemple = _EXEMPLES_OI.get(type_oi.code, _sans_accents(f"{type_oi.libelle} geriatrie"))
        messages.append(f"Le nom de l'organisation interne commence par son type (« {type_oi.libelle} »), "
                        f"par exemple « {exemple} ».")
    return messages
