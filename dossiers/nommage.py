"""The regional naming rules, checked as warnings (the gestionnaire may publish anyway).

Establishments: label in CAPITALS, "[type] [commune]", no accents, no quotes or special
characters, no "DE"/"DU" between the type and the commune. Units: name close to the type
d'UO, with the mode d'accueil and the clientèle for medico-social units, no accents, no
quotes, no "DE"/"DU".
"""

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
               "polyhandicap", "tous publics", "tout public", "famille", "aidant", "pa ", "ph ")
_MODES = ("temporaire", "permanent", "accueil de jour", "jour", "nuit", "domicile", "hebergement", "sequentiel",
          "prestataire", "mandataire", "externat", "internat", "semi internat", "ambulatoire", "ecoute")


def _a_des_accents(texte: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", texte))


def _mots(texte: str) -> set[str]:
    return {m for m in normaliser(texte).split() if m not in _MOTS_VIDES and len(m) > 1}


def avertissements(niveau: str, donnees: dict) -> list[str]:
    """Naming warnings for a draft fiche (empty list when the name follows the rules)."""
    nom = (donnees.get("nom") or "").strip()
    if not nom:
        return []
    if niveau == Niveau.EG:
        return _regles_etablissement(nom, donnees.get("commune"))
    if niveau == Niveau.UO:
        return _regles_unite(nom, donnees.get("type_uo"), donnees.get("discipline"))
    return []


def _regles_communes(nom: str) -> list[str]:
    messages = []
    if _a_des_accents(nom):
        messages.append("Évitez les accents dans le libellé.")
    if _GUILLEMETS.search(nom) or _SPECIAUX.search(nom):
        messages.append("Enlevez les guillemets et autres caractères spéciaux du libellé.")
    return messages


def _regles_etablissement(nom: str, commune_id) -> list[str]:
    messages = []
    if nom != nom.upper():
        messages.append("Le libellé de l'établissement s'écrit en MAJUSCULES.")
    messages += _regles_communes(nom)
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id else None
    if commune:
        libelle, ville = normaliser(nom), normaliser(commune.nom)
        if not libelle.endswith(ville):
            messages.append(f"Le libellé suit la forme « [type d'établissement] [commune] » "
                            f"(commune : {commune.nom.upper()}).")
        elif re.search(rf"\b(de|du|d)\s+{re.escape(ville)}$", libelle):
            messages.append("Évitez « DE » et « DU » entre le type d'établissement et la commune.")
    return messages


def _regles_unite(nom: str, type_uo_id, discipline: str | None) -> list[str]:
    messages = _regles_communes(nom)
    sans_expressions = re.sub(r"\b(accueil|hopital|centre|maison) de (jour|nuit|sante|vie)\b", "", normaliser(nom))
    if re.search(r"\b(de|du)\b", sans_expressions):
        messages.append("Évitez « DE » et « DU » dans le nom de l'unité.")
    type_uo = Concept.objects.filter(pk=type_uo_id).first() if type_uo_id else None
    if type_uo and not (_mots(nom) & _mots(type_uo.libelle)):
        messages.append(f"Le nom de l'unité reprend son type d'UO (« {type_uo.libelle} »).")
    if discipline == Discipline.MSS:
        texte = normaliser(nom) + " "
        if not any(c in texte for c in _CLIENTELES):
            messages.append("Précisez la clientèle (personnes âgées, personnes Alzheimer…) : "
                            "« Aide à domicile prestataire – personnes âgées ».")
        if not any(m in texte for m in _MODES):
            messages.append("Précisez le mode d'accueil (temporaire, accueil de jour…).")
    return messages
