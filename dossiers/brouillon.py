"""The draft copy of a fiche: which fields a dossier carries per level, how they are
stored as JSON, compared, shown, and which are required to finalise.

A draft is a dict {field name: JSON value}; foreign keys are stored as the target's
primary key, many-to-many fields as the sorted list of primary keys; the contacts, the
responsable and the planning as dossiers/parties.py says.
"""

import datetime
import functools
from decimal import Decimal

from django.db import models

from repertoire import schema
from repertoire.models import Niveau, Structure

from . import parties

champ = functools.cache(schema.champ_modele)  # read for every field of every fiche


def _du_dossier(niveau: str, listes: bool) -> list[str]:
    return [nom for nom in schema.du_niveau(niveau, "dossier") if bool(champ(nom).many_to_many) == listes]


# The fields a dossier carries, per level (the field schema's "dossier" column).
CHAMPS = {niveau: _du_dossier(niveau, listes=False) for niveau in Niveau.values}
CHAMPS_M2M = {niveau: _du_dossier(niveau, listes=True) for niveau in Niveau.values}
# What "Enregistrer et finaliser" requires.
OBLIGATOIRES = {niveau: schema.du_niveau(niveau, "obligatoire") for niveau in Niveau.values}


def champs_de(niveau: str) -> list[str]:
    """Everything a draft of this level carries: fields, code lists, then its parts."""
    return CHAMPS[niveau] + CHAMPS_M2M[niveau] + parties.PARTIES[niveau]


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
    if isinstance(valeur, str):  # a browser sends a textarea's lines as CRLF: not a change of the text
        return valeur.replace("\r\n", "\n")
    return valeur


def lire_fiche(structure: Structure) -> dict:
    """The draft of a live fiche: its fields and code lists as they are now."""
    return lire_fiches([structure])[structure.pk]


def lire_fiches(structures, requete=None) -> dict[int, dict]:
    """Drafts of many live fiches, {pk: draft}, with one query per code list (not per fiche).

    `structures`: Structure instances, or rows {"pk", "niveau"}; `requete`, a queryset of
    the same structures, selects every row by a subquery rather than by thousands of ids and
    reads the fields as plain values (a large EJ: no model instance per fiche)."""
    niveaux = {_cle(s): _niveau(s) for s in structures}
    if requete is not None:
        noms = sorted({n for niveau in set(niveaux.values()) for n in CHAMPS[niveau]})
        attributs = [champ(n).attname for n in noms]
        lues = {}
        for ligne in requete.order_by().values_list("pk", *attributs):
            pk, valeurs = ligne[0], dict(zip(noms, ligne[1:]))
            lues[pk] = {nom: en_json(nom, valeurs[nom]) for nom in CHAMPS[niveaux[pk]]}
    else:
        lues = {s.pk: {nom: en_json(nom, champ(nom).value_from_object(s)) for nom in CHAMPS[s.niveau]}
                for s in structures}
    for nom in sorted({n for niveau in set(niveaux.values()) for n in CHAMPS_M2M[niveau]}):
        lien = champ(nom).remote_field.through
        source, cible = champ(nom).m2m_field_name(), champ(nom).m2m_reverse_name()
        for pk in lues:
            if nom in CHAMPS_M2M[niveaux[pk]]:
                lues[pk][nom] = []
        for pk, valeur in lien.objects.filter(**{f"{source}__in": _cles(lues, requete)}).values_list(source, cible):
            if nom in lues[pk]:
                lues[pk][nom].append(valeur)
    listes = {n for niveau in set(niveaux.values()) for n in CHAMPS_M2M[niveau]}
    for donnees in lues.values():
        for nom, valeur in donnees.items():
            if nom in listes:
                valeur.sort()
    parties.lire(lues, niveaux, _cles(lues, requete))
    return lues


def _cles(lues, requete):
    return requete.values("pk") if requete is not None else list(lues)


def _cle(structure) -> int:
    return structure["pk"] if isinstance(structure, dict) else structure.pk


def _niveau(structure) -> str:
    return structure["niveau"] if isinstance(structure, dict) else structure.niveau


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


def parties_pour_service(niveau: str, donnees: dict) -> dict:
    """The contacts, responsable and planning of a draft, as repertoire's ecrire_parties takes them."""
    return parties.pour_service({nom: donnees[nom] for nom in parties.PARTIES[niveau] if nom in donnees})


def champs_differents(a: dict, b: dict, noms) -> list[str]:
    # Equal values first (most of them): normalised only when they differ as stored.
    return [nom for nom in noms if (x := a.get(nom)) != (y := b.get(nom)) and _normal(x) != _normal(y)]


def _normal(valeur):
    return None if valeur in ("", [], None) else valeur


def champs_manquants(niveau: str, donnees: dict) -> list[str]:
    """Labels of the required fields a draft lacks (to finalise)."""
    return [str(champ(nom).verbose_name) for nom in OBLIGATOIRES[niveau] if _normal(donnees.get(nom)) is None]


# -- display ------------------------------------------------------------------------

def afficher(nom: str, valeur, libelles: schema.Libelles | None = None) -> str:
    """A stored value in words, for the diff and the conflict pages; with `libelles`
    (libelles_de), the labels of codes and communes fetched once for a whole page."""
    if parties.est_partie(nom):
        return parties.afficher(nom, valeur)
    if libelles is None:
        return schema.texte(nom, valeur) or "—"
    return libelles.texte(champ(nom), valeur) or "—"


def libelles_de(brouillons) -> schema.Libelles:
    """The labels of every code and commune in these drafts, one query per kind of object."""
    libelles = schema.Libelles()
    for donnees in brouillons:
        for nom, valeur in donnees.items():
            if not parties.est_partie(nom):
                libelles.noter(champ(nom), valeur)
    libelles.charger()
    return libelles


def libelle(nom: str) -> str:
    return parties.LIBELLES[nom] if parties.est_partie(nom) else schema.libelle(nom)


def lignes_de_diff(niveau: str, avant: dict, apres: dict, seulement_changes: bool = True,
                   libelles: schema.Libelles | None = None) -> list[dict]:
    """Rows of a side-by-side diff: field, live value, dossier value, structural first."""
    lignes = []
    libelles = libelles or libelles_de([avant, apres])
    for nom in champs_de(niveau):
        if parties.est_partie(nom):  # one row per contact, per day… that changes
            lignes += [{"champ": nom, "libelle": titre, "avant": a, "apres": b, "change": change, "structurel": False}
                       for titre, a, b, change in parties.lignes(nom, avant.get(nom), apres.get(nom),
                                                                 seulement_changes)]
            continue
        change = _normal(avant.get(nom)) != _normal(apres.get(nom))
        if seulement_changes and (not change or (not avant and apres.get(nom) is False)):
            continue  # a created fiche's unticked box is no news (« Unité sensible : Non »)
        ligne = {"champ": nom, "libelle": libelle(nom), "avant": afficher(nom, avant.get(nom), libelles),
                 "apres": afficher(nom, apres.get(nom), libelles), "change": change,
                 "structurel": schema.est_structurel(niveau, nom)}
        if change and champ(nom).many_to_many and avant.get(nom) and apres.get(nom):
            # a list changed on both sides: what it adds and removes, said as such (a territory by
            # whole départements and EPCI, as its values are)
            a, b = set(avant[nom]), set(apres[nom])
            ligne["ajouts"] = libelles.texte(champ(nom), sorted(b - a), deja=a)
            ligne["retraits"] = libelles.texte(champ(nom), sorted(a - b))
        lignes.append(ligne)
    lignes.sort(key=lambda ligne: not ligne["structurel"])
    return lignes
