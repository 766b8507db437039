"""From the engine's ids to what a page shows: establishments, units, links, export rows."""

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from nomenclatures.texte import normaliser

from repertoire.lecture import adresse_propre
from repertoire.models import LIBELLES_PATIENTELE, Structure

from .moteur import Page


def adresse(s: Structure) -> str:
    return ", ".join(adresse_propre(s))


def patientele(s: Structure) -> dict:
    code = s.code_patientele
    return {"code": code, "libelle": " / ".join(LIBELLES_PATIENTELE.get(c, c) for c in code.split("/")) if code else ""}


@dataclass
class Ligne:
    """One row of the results: an establishment and its matching units."""

    eg: Structure
    uos: list[Structure]
    distance_km: float | None
    rang: int  # position of the row in the whole list (1-based)
    nb_uos: int = 0  # matching units, some maybe not shown (moteur.UO_PAR_LIGNE)

    @property
    def autres_uos(self) -> int:
        return max(0, self.nb_uos - len(self.uos))

    @property
    def adresse(self) -> str:
        return adresse(self.eg)


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


def raisons(uo: Structure, mots: list[str], libelles: dict | None = None) -> list[dict]:
    """Why a unit matched: its type, name, activities, specialisations… holding the words.
    `libelles` {(genre, uo id): [labels]} read in bulk (_libelles_des_unites), else the unit's own."""
    if not mots:
        return []
    if libelles is None:
        libelles = {("Activité", uo.pk): [a.libelle for a in uo.activites.all()],
                    ("Spécialisation", uo.pk): [s.libelle for s in uo.specialisations.all()]}
    candidats = [("Type d'unité", uo.type_uo.libelle if uo.type_uo_id else ""), ("Nom", uo.nom)]
    candidats += [("Activité", t) for t in libelles.get(("Activité", uo.pk), [])]
    candidats += [("Spécialisation", t) for t in libelles.get(("Spécialisation", uo.pk), [])]
    vues = []
    for genre, texte in candidats:
        marque = surligner(texte, mots) if texte else None
        if marque is not None and texte not in {v["texte"] for v in vues}:
            vues.append({"genre": genre, "texte": texte, "html": marque})
    return vues[:3]


# What a row and an export line read of a structure (a page holds up to a few hundred units).
CHAMPS_EG = ["nom", "finess", "etat", "telephone", "email", "numero_voie", "type_voie", "voie", "complement_adresse",
             "lieu_dit", "code_postal", "commune", "latitude", "longitude"]
CHAMPS_UO = ["nom", "eg", "etat", "type_uo", "discipline", "age_min", "age_max", "lits_installes", "places_installees",
             "telephone", "email", "commune", "numero_voie", "voie", "lieu_dit"]


def _libelles_des_unites(uo_ids: list[int]) -> dict:
    """{("Activité" | "Spécialisation", uo id): [labels]} in two light queries (no model per label)."""
    libelles: dict = {}
    for genre, champ in (("Activité", "activites"), ("Spécialisation", "specialisations")):
        lien = Structure._meta.get_field(champ).remote_field.through
        for uo_id, libelle in lien.objects.filter(structure_id__in=uo_ids).values_list("structure_id",
                                                                                        "concept__libelle"):
            libelles.setdefault((genre, uo_id), []).append(libelle)
    return libelles


def garnir(page: Page, premier_rang: int = 1) -> list[Ligne]:
    eg_ids = [r.eg_id for r in page.resultats]
    uo_ids = [pk for r in page.resultats for pk in r.uo_ids]
    egs = Structure.objects.select_related("commune", "type_voie").only(
        *CHAMPS_EG, "commune__nom", "type_voie__libelle").in_bulk(eg_ids)
    uos = Structure.objects.select_related("type_uo").only(*CHAMPS_UO, "type_uo__libelle").in_bulk(uo_ids)
    mots = mots_cherches(page.analyse)
    libelles = _libelles_des_unites(uo_ids) if mots else {}
    for uo in uos.values():
        uo.patientele = patientele(uo)
        uo.raisons = raisons(uo, mots, libelles)
        # the unit is here for its establishment (an "EHPAD" found by its category)
        uo.par_etablissement = bool(mots) and not uo.raisons
    lignes = []
    for i, r in enumerate(page.resultats):
        if r.eg_id not in egs:
            continue
        km = round(r.distance / 1000, 1) if r.distance is not None else None
        montrees = [uos[pk] for pk in r.uo_ids if pk in uos]
        lignes.append(Ligne(egs[r.eg_id], montrees, km, premier_rang + i, r.nb_uos or len(montrees)))
    return lignes


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
