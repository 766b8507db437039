"""From the engine's ids to what a page shows: establishments, units, links, export rows."""

import html
import re
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from django.db.models import Value
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from nomenclatures.texte import normaliser

from repertoire.lecture import adresse_propre
from repertoire.models import LIBELLES_PATIENTELE, Structure

from .moteur import Page


def adresse(s) -> str:
    return ", ".join(adresse_propre(s))


def patientele(s) -> dict:
    code = s.code_patientele
    return {"code": code, "libelle": " / ".join(LIBELLES_PATIENTELE.get(c, c) for c in code.split("/")) if code else ""}


@dataclass
class Ligne:
    """One row of the results: an establishment and its matching units."""

    eg: "StructureLue"
    uos: list["StructureLue"]
    distance_km: float | None
    rang: int  # position of the row in the whole list (1-based)
    nb_uos: int = 0  # matching units, some maybe not shown (moteur.UO_PAR_LIGNE)
    lien: str = ""  # the establishment's fiche
    suffixe: str = ""  # query string of the units' links ("?quoi=…&page=2"), see html_uos

    @property
    def autres_uos(self) -> int:
        return max(0, self.nb_uos - len(self.uos))

    @property
    def adresse(self) -> str:
        return adresse(self.eg)

    @cached_property
    def html_uos(self) -> SafeString:
        """The row's units as <li>, built here rather than by a template loop: a page holds about a
        hundred units, and the template engine spent ~12 ms of a ~60 ms page on them (bench/search.py)."""
        suffixe = html.escape(self.suffixe)
        morceaux = []
        for uo in self.uos:
            type_uo = f'<span class="ror-type-uo">{html.escape(uo.type_uo.libelle)}</span> — ' if uo.type_uo_id else ""
            code = uo.patientele["code"]
            abbr = (f'<abbr class="fr-tag fr-tag--sm" title="Patientèle : {html.escape(uo.patientele["libelle"])}">'
                    f'{html.escape(code)}</abbr>') if code else ""
            ferme = '<span class="fr-badge fr-badge--error fr-badge--sm fr-badge--no-icon">Fermé</span>' \
                if uo.est_ferme else ""
            if uo.raisons:
                pourquoi = ('<p class="fr-text--xs fr-mb-0 ror-raisons">Correspond par '
                            + " ; ".join(f"{html.escape(r['genre'].lower())} : {r['html']}" for r in uo.raisons)
                            + "</p>\n        ")
            elif uo.par_etablissement:
                pourquoi = '<p class="fr-text--xs fr-mb-0 ror-raisons">Correspond par son établissement (nom ou catégorie)</p>'
            else:
                pourquoi = ""
            morceaux.append(f'\n      <li>\n        <a class="fr-link" href="{uo.lien}{suffixe}">{type_uo}'
                            f'{html.escape(uo.nom)}</a>\n        {abbr}\n        {ferme}\n        {pourquoi}'
                            f'\n      </li>\n      ')
        return mark_safe("".join(morceaux))


def mots_cherches(analyse) -> list[str]:
    """The words of the need as the engine read them (typos corrected), normalised."""
    mots = []
    for mot in analyse.params:
        mots += [m for m in normaliser(mot).split() if len(m) >= 3 or m.isupper()]
    return list(dict.fromkeys(mots))


def _racine(mot: str) -> str:
    return mot[:max(4, len(mot) - 2)] if len(mot) > 4 else mot


def surligner(texte: str, mots: list[str]) -> SafeString | None:
    """The text with the words of the need in <mark>, or None when none of them is in it."""
    racines = tuple(_racine(m) for m in mots)
    if not any(r in normaliser(texte) for r in racines):  # most labels: nothing to mark, one pass
        return None
    trouve = False
    morceaux = []
    for morceau in re.split(r"(\w+)", texte):
        if morceau and morceau[0].isalnum() and normaliser(morceau).startswith(racines):
            morceaux.append(format_html("<mark>{}</mark>", morceau))
            trouve = True
        else:
            morceaux.append(escape(morceau))
    return mark_safe("".join(morceaux)) if trouve else None


def raisons(uo, mots: list[str], libelles: dict | None = None, marques: dict | None = None) -> list[dict]:
    """Why a unit matched: its type, name, activities, specialisations… holding the words.
    `libelles` {(genre, uo id): [labels]} read in bulk (_libelles_des_unites), else the unit's own;
    `marques` {label: surligner(label)} shared by the units of a page (the same activity and type
    labels come back on most rows)."""
    if not mots:
        return []
    if libelles is None:
        libelles = {("Activité", uo.pk): [a.libelle for a in uo.activites.all()],
                    ("Spécialisation", uo.pk): [s.libelle for s in uo.specialisations.all()]}
    candidats = [("Type d'unité", uo.type_uo.libelle if uo.type_uo_id else ""), ("Nom", uo.nom)]
    candidats += [("Activité", t) for t in libelles.get(("Activité", uo.pk), [])]
    candidats += [("Spécialisation", t) for t in libelles.get(("Spécialisation", uo.pk), [])]
    if marques is None:
        marques = {}
    vues = []
    for genre, texte in candidats:
        if not texte:
            continue
        if texte not in marques:
            marques[texte] = surligner(texte, mots)
        marque = marques[texte]
        if marque is not None and texte not in {v["texte"] for v in vues}:
            vues.append({"genre": genre, "texte": texte, "html": marque})
            if len(vues) == 3:  # a row shows three reasons at most
                break
    return vues


# What a row and an export line read of a structure (a page holds up to a few hundred units).
CHAMPS_EG = ["nom", "finess", "etat", "telephone", "email", "numero_voie", "type_voie_id", "type_voie__libelle", "voie",
             "complement_adresse", "lieu_dit", "code_postal", "commune_id", "commune__nom", "latitude", "longitude"]
CHAMPS_UO = ["nom", "eg_id", "etat", "type_uo_id", "type_uo__libelle", "discipline", "age_min", "age_max",
             "lits_installes", "places_installees", "telephone", "email", "numero_voie", "voie", "lieu_dit"]


class StructureLue:
    """A structure as a row of the results reads it, without a model instance (a page reads
    about 110 of them: models and their related objects cost ~6 ms there). Holds the fields
    read and what a row asks of them: pk, est_ferme, code_patientele, get_discipline_display(),
    type_uo / type_voie / commune as objects with libelle / nom."""

    _DISCIPLINES = dict(Structure._meta.get_field("discipline").flatchoices)

    def __init__(self, valeurs: dict):
        for relation, champ in (("type_uo", "libelle"), ("type_voie", "libelle"), ("commune", "nom")):
            if f"{relation}_id" in valeurs:
                valeur = valeurs.pop(f"{relation}__{champ}")
                valeurs[relation] = SimpleNamespace(**{champ: valeur}) if valeurs[f"{relation}_id"] else None
        self.__dict__.update(valeurs)
        self.pk = valeurs["id"]

    # the model's own readings (they use only the fields read here)
    est_ferme = Structure.est_ferme
    code_patientele = Structure.code_patientele

    def get_discipline_display(self) -> str:
        return str(self._DISCIPLINES.get(self.discipline, self.discipline))


def _lire(champs: list[str], ids: list[int]) -> dict[int, StructureLue]:
    return {v["id"]: StructureLue(v) for v in Structure.objects.filter(pk__in=ids).order_by().values("id", *champs)}


def _libelles_des_unites(uo_ids: list[int]) -> dict:
    """{("Activité" | "Spécialisation", uo id): [labels]} in one light query (no model per label)."""
    parties = []
    for genre, champ in (("Activité", "activites"), ("Spécialisation", "specialisations")):
        lien = Structure._meta.get_field(champ).remote_field.through
        parties.append(lien.objects.filter(structure_id__in=uo_ids).annotate(genre=Value(genre)).values_list(
            "genre", "structure_id", "concept__libelle"))
    libelles: dict = {}
    for genre, uo_id, libelle in parties[0].union(parties[1], all=True):
        libelles.setdefault((genre, uo_id), []).append(libelle)
    return libelles


def garnir(page: Page, premier_rang: int = 1, requete: str = "") -> list[Ligne]:
    """The rows of a page; `requete` (the query string, without page) goes into the units' links."""
    eg_ids = [r.eg_id for r in page.resultats]
    uo_ids = [pk for r in page.resultats for pk in r.uo_ids]
    egs, uos = _lire(CHAMPS_EG, eg_ids), _lire(CHAMPS_UO, uo_ids)
    mots = mots_cherches(page.analyse)
    libelles = _libelles_des_unites(uo_ids) if mots else {}
    marques: dict = {}
    lien_uo, lien_eg = _chemin("recherche:resultat"), _chemin("repertoire:fiche")
    for uo in uos.values():
        uo.lien = lien_uo(uo.pk)
        uo.patientele = patientele(uo)
        uo.raisons = raisons(uo, mots, libelles, marques)
        # the unit is here for its establishment (an "EHPAD" found by its category)
        uo.par_etablissement = bool(mots) and not uo.raisons
    lignes = []
    for i, r in enumerate(page.resultats):
        if r.eg_id not in egs:
            continue
        km = round(r.distance / 1000, 1) if r.distance is not None else None
        montrees = [uos[pk] for pk in r.uo_ids if pk in uos]
        lignes.append(Ligne(egs[r.eg_id], montrees, km, premier_rang + i, r.nb_uos or len(montrees),
                            lien_eg(r.eg_id), f"?{requete}&page={page.numero}"))
    return lignes


def _chemin(nom_url: str):
    """pk → the path of `nom_url` (a pattern with one <int:pk>): reversed once for a page, not per row."""
    avant, apres = reverse(nom_url, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{avant}/{pk}/{apres}"


def uos_en_ordre(page: Page) -> list[int]:
    """The UO of a page in the order they are shown (for previous / next)."""
    return [pk for r in page.resultats for pk in r.uo_ids]


COLONNES_EXPORT = ["Établissement", "FINESS ET", "Unité opérationnelle", "Type d'unité", "Discipline", "Patientèle",
                   "Âge min", "Âge max", "Correspond par", "Lits installés", "Places installées", "Adresse",
                   "Code postal", "Commune", "Téléphone", "Courriel", "Distance (km)", "État", "Fiche"]


def lignes_export(lignes: list[Ligne], base_url: str = ""):
    """One row per unit; `base_url` ("https://ror.example") makes the fiche's link absolute."""
    for ligne in lignes:
        eg = ligne.eg
        for uo in ligne.uos:
            yield [eg.nom, eg.finess, uo.nom, uo.type_uo.libelle if uo.type_uo_id else "",
                   uo.get_discipline_display() if uo.discipline else "",
                   patientele(uo)["libelle"], uo.age_min if uo.age_min is not None else "",
                   uo.age_max if uo.age_max is not None else "",
                   " ; ".join(f"{r['genre']} : {r['texte']}" for r in getattr(uo, "raisons", [])),
                   "" if uo.lits_installes is None else uo.lits_installes,
                   "" if uo.places_installees is None else uo.places_installees,
                   adresse(eg), eg.code_postal,
                   eg.commune.nom if eg.commune_id else "", uo.telephone or eg.telephone, uo.email or eg.email,
                   "" if ligne.distance_km is None else str(ligne.distance_km).replace(".", ","),
                   "Fermé" if uo.est_ferme or eg.est_ferme else "Ouvert",
                   base_url + reverse("repertoire:fiche", args=[uo.pk])]
