"""From the engine's ids to what a page shows: establishments, units, links, export rows."""

from dataclasses import dataclass

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

    @property
    def adresse(self) -> str:
        return adresse(self.eg)

    @property
    def noms_uos(self) -> str:
        return ", ".join(u.nom for u in self.uos)


def garnir(page: Page, premier_rang: int = 1) -> list[Ligne]:
    eg_ids = [r.eg_id for r in page.resultats]
    uo_ids = [pk for r in page.resultats for pk in r.uo_ids]
    egs = Structure.objects.select_related("commune", "type_voie").in_bulk(eg_ids)
    uos = Structure.objects.select_related("type_uo").in_bulk(uo_ids)
    for uo in uos.values():
        uo.patientele = patientele(uo)
    lignes = []
    for i, r in enumerate(page.resultats):
        if r.eg_id not in egs:
            continue
        km = round(r.distance / 1000, 1) if r.distance is not None else None
        lignes.append(Ligne(egs[r.eg_id], [uos[pk] for pk in r.uo_ids if pk in uos], km, premier_rang + i))
    return lignes


def uos_en_ordre(page: Page) -> list[int]:
    """The UO of a page in the order they are shown (for previous / next)."""
    return [pk for r in page.resultats for pk in r.uo_ids]


COLONNES_EXPORT = ["Établissement", "FINESS ET", "Unité opérationnelle", "Type d'unité", "Discipline", "Patientèle",
                   "Âge min", "Âge max", "Adresse", "Code postal", "Commune", "Téléphone", "Courriel",
                   "Distance (km)", "État"]


def lignes_export(lignes: list[Ligne]):
    for ligne in lignes:
        eg = ligne.eg
        for uo in ligne.uos:
            yield [eg.nom, eg.finess, uo.nom, uo.type_uo.libelle if uo.type_uo_id else "", uo.discipline,
                   patientele(uo)["libelle"], uo.age_min if uo.age_min is not None else "",
                   uo.age_max if uo.age_max is not None else "", adresse(eg), eg.code_postal,
                   eg.commune.nom if eg.commune_id else "", uo.telephone or eg.telephone, uo.email or eg.email,
                   "" if ligne.distance_km is None else str(ligne.distance_km).replace(".", ","),
                   "Fermé" if uo.est_ferme or eg.est_ferme else "Ouvert"]
