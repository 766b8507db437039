"""The draft copy of a fiche: which fields a dossier carries per level, how they are
stored as JSON, compared, shown, and which are required to finalise.

A draft is a dict {field name: JSON value}; foreign keys are stored as the target's
primary key, many-to-many fields as the sorted list of primary keys.
"""

import datetime
from decimal import Decimal

from django.db import models

from nomenclatures.models import Commune, Concept
from repertoire.models import Niveau, Structure

_COMMUNS = ["nom", "nom_officiel", "numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit",
            "code_postal", "commune", "telephone", "fax", "email", "site_web", "commentaire"]

CHAMPS = {
    Niveau.EJ: ["nom", "nom_officiel", "finess", "siren", "statut_juridique"] + _COMMUNS[2:],
    Niveau.EG: ["nom", "nom_officiel", "finess", "siret", "categorie", "accessibilite"] + _COMMUNS[2:],
    Niveau.OI: ["nom", "type_oi", "commentaire"],
    Niveau.UO: ["nom", "discipline", "champ", "type_uo", "age_min", "age_max", "ouverture_annuelle",
                "niveau_expertise", "conditions_admission", "unite_sensible", "lits_installes", "places_installees",
                "patients_par_unite_temps", "places_aide_sociale", "habilitation_aide_sociale", "tarif_mensuel"]
               + _COMMUNS[2:],
}
CHAMPS_M2M = {
    Niveau.EJ: [],
    Niveau.EG: ["aides_financieres"],
    Niveau.OI: [],
    Niveau.UO: ["activites", "modes_prise_en_charge", "publics", "temporalites_accueil", "modalites_accueil",
                "specialisations", "competences", "professions", "specialites_ordinales", "equipements", "actes",
                "territoire"],
}
# What "Enregistrer et finaliser" requires (the ANS quality criteria for a UO).
OBLIGATOIRES = {
    Niveau.EJ: ["nom"],
    Niveau.EG: ["nom", "categorie", "commune"],
    Niveau.OI: ["nom", "type_oi"],
    Niveau.UO: ["nom", "discipline", "type_uo", "activites", "age_min", "age_max"],
}
# Structural data: the reason a dossier exists (shown first in the diff).
STRUCTURELS = {"nom_officiel", "finess", "siren", "siret", "categorie", "type_uo", "type_oi", "statut_juridique"}


def champs_de(niveau: str) -> list[str]:
    return CHAMPS[niveau] + CHAMPS_M2M[niveau]


def champ(nom: str) -> models.Field:
    return Structure._meta.get_field(nom)


def en_json(nom: str, valeur):
    """A model value (or a form's cleaned value) as the JSON stored in a draft."""
    f = champ(nom)
    if f.many_to_many:
        return sorted(v.pk if isinstance(v, models.Model) else v for v in (valeur or []))
    if isinstance(valeur, models.Model):
        return valeur.pk
    if isinstance(valeur, Decimal):
        return str(valeur.quantize(Decimal(10) ** -f.decimal_places))
    if isinstance(valeur, (datetime.date, datetime.datetime)):
        return valeur.isoformat()
    return valeur


def lire_fiche(structure: Structure) -> dict:
    """The draft of a live fiche: its fields and code lists as they are now."""
    return lire_fiches([structure])[structure.pk]


def lire_fiches(structures) -> dict[int, dict]:
    """Drafts of many live fiches, {pk: draft}, with one query per code list (not per fiche)."""
    structures = list(structures)
    lues = {s.pk: {nom: en_json(nom, champ(nom).value_from_object(s)) for nom in CHAMPS[s.niveau]}
            for s in structures}
    niveaux = {s.pk: s.niveau for s in structures}
    for nom in sorted({n for s in structures for n in CHAMPS_M2M[s.niveau]}):
        lien = champ(nom).remote_field.through
        source, cible = champ(nom).m2m_field_name(), champ(nom).m2m_reverse_name()
        for pk in lues:
            if nom in CHAMPS_M2M[niveaux[pk]]:
                lues[pk][nom] = []
        for pk, valeur in lien.objects.filter(**{f"{source}__in": list(lues)}).values_list(source, cible):
            if nom in lues[pk]:
                lues[pk][nom].append(valeur)
    for donnees in lues.values():
        for nom, valeur in donnees.items():
            if isinstance(valeur, list):
                valeur.sort()
    return lues


def valeurs_pour_modele(niveau: str, donnees: dict) -> tuple[dict, dict]:
    """(scalar fields, m2m lists) as the repertoire services take them (foreign keys by *_id)."""
    scalaires, m2m = {}, {}
    for nom in CHAMPS[niveau]:
        if nom not in donnees:
            continue
        f = champ(nom)
        if f.is_relation:
            scalaires[f.attname] = donnees[nom]
        else:
            scalaires[nom] = f.to_python(donnees[nom]) if donnees[nom] is not None else None
    for nom in CHAMPS_M2M[niveau]:
        if nom in donnees:
            m2m[nom] = list(donnees[nom])
    return scalaires, m2m


def champs_differents(a: dict, b: dict, noms) -> list[str]:
    return [nom for nom in noms if _normal(a.get(nom)) != _normal(b.get(nom))]


def _normal(valeur):
    return None if valeur in ("", [], None) else valeur


def champs_manquants(niveau: str, donnees: dict) -> list[str]:
    """Labels of the required fields a draft lacks (to finalise)."""
    return [str(champ(nom).verbose_name) for nom in OBLIGATOIRES[niveau] if _normal(donnees.get(nom)) is None]


# -- display ------------------------------------------------------------------------

def libelle(nom: str) -> str:
    return str(champ(nom).verbose_name)


def afficher(nom: str, valeur) -> str:
    """A stored value in words, for the diff and the conflict pages."""
    if _normal(valeur) is None:
        return "—"
    f = champ(nom)
    cible = f.related_model if f.is_relation else None
    if cible is Concept:
        ids = valeur if f.many_to_many else [valeur]
        libelles = dict(Concept.objects.filter(pk__in=ids).values_list("pk", "libelle"))
        return ", ".join(libelles.get(i, str(i)) for i in ids)
    if cible is Commune:
        ids = valeur if f.many_to_many else [valeur]
        noms = dict(Commune.objects.filter(pk__in=ids).values_list("pk", "nom"))
        return ", ".join(f"{noms.get(i, '?')} ({i})" for i in ids)
    if f.choices:
        return str(dict(f.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    return str(valeur)


def lignes_de_diff(niveau: str, avant: dict, apres: dict, seulement_changes: bool = True) -> list[dict]:
    """Rows of a side-by-side diff: field, live value, dossier value, structural or not."""
    lignes = []
    for nom in champs_de(niveau):
        change = _normal(avant.get(nom)) != _normal(apres.get(nom))
        if seulement_changes and not change:
            continue
        lignes.append({"champ": nom, "libelle": libelle(nom), "avant": afficher(nom, avant.get(nom)),
                       "apres": afficher(nom, apres.get(nom)), "change": change, "structurel": nom in STRUCTURELS})
    lignes.sort(key=lambda ligne: not ligne["structurel"])
    return lignes
