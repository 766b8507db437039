"""Recording figures: appended to `Capacite` (never updated) and folded into `SituationLits`
by one upsert whose condition keeps, per statut, the figure with the latest date: two
updates of the same unit at once are both kept, and the latest wins whatever the order
in which their transactions commit.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from nomenclatures.cache import concept_id
from nomenclatures.models import Departement
from repertoire.models import Structure
from socle.ecriture import inserer_en_masse

from ..models import (COLONNES_PAR_STATUT, NATURE_LIT, SOURCE_SAISIE_MANUELLE, STATUT_DISPONIBLE,
                      STATUT_SUPPLEMENTAIRE, TEMPORALITE_COURANT, Capacite, SituationLits)


def _regions_par_departement() -> dict[str, str]:
    return dict(Departement.objects.values_list("code", "region_id"))


@dataclass
class Figure:
    """One figure about to be recorded (codes of the national value sets)."""

    uo: Structure
    statut: str
    nombre: int
    date_maj: datetime
    nature: str = NATURE_LIT
    temporalite: str = TEMPORALITE_COURANT
    genre: str | None = None
    source: str = SOURCE_SAISIE_MANUELLE


@dataclass
class Bilan:
    enregistrees: int = 0
    deja_connues: int = 0
    unites: set = field(default_factory=set)


class SaisieInvalide(Exception):
    """Nothing was recorded. `erreurs` maps a key (UO id or item index) to French messages."""

    def __init__(self, erreurs: dict):
        self.erreurs = erreurs
        super().__init__("; ".join(m for ms in erreurs.values() for m in ms))


def erreur_capacite(uo: Structure, disponibles: int | None, supplementaires: int | None) -> str | None:
    """Available beds may not exceed installed beds plus supplementary beds."""
    if disponibles is None or uo.lits_installes is None:
        return None
    plafond = uo.lits_installes + (supplementaires or 0)
    if disponibles > plafond:
        return (f"{disponibles} lits disponibles dépassent la capacité de l'unité : {uo.lits_installes} lits "
                f"installés + {supplementaires or 0} supplémentaires = {plafond}.")
    return None


def supplementaires_courants(uo_ids) -> dict[int, int]:
    return dict(SituationLits.objects.filter(uo_id__in=uo_ids, supplementaires__isnull=False)
                .values_list("uo_id", "supplementaires"))


def controler_plafonds(figures: list[Figure]) -> dict[int, list[str]]:
    """Check every unit's current available beds against its capacity; errors by UO id."""
    courants = [f for f in figures if f.temporalite == TEMPORALITE_COURANT]
    suppl_connus = supplementaires_courants({f.uo.pk for f in courants})
    derniers: dict[int, dict[str, Figure]] = {}
    for f in courants:
        precedent = derniers.setdefault(f.uo.pk, {}).get(f.statut)
        if precedent is None or f.date_maj >= precedent.date_maj:
            derniers[f.uo.pk][f.statut] = f
    erreurs = {}
    for uo_pk, par_statut in derniers.items():
        dispo, suppl = par_statut.get(STATUT_DISPONIBLE), par_statut.get(STATUT_SUPPLEMENTAIRE)
        if dispo is None:
            continue
        message = erreur_capacite(dispo.uo, dispo.nombre, suppl.nombre if suppl else suppl_connus.get(uo_pk))
        if message:
            erreurs[uo_pk] = [message]
    return erreurs


COLONNES_HISTORIQUE = ["uo_id", "eg_id", "departement_id", "region_id", "nature_id", "statut_id", "temporalite_id",
                       "genre_id", "source_id", "nombre", "date_maj", "saisi_par_id", "jeton_id", "enregistre_le"]


def _departement(uo: Structure) -> str | None:
    return uo.departement_id or (uo.eg.departement_id if uo.eg_id else None)


def _inserer_historique(figures: list[Figure], user, jeton, regions: dict) -> list[Figure]:
    """Append the figures; return those that were new (a replay of a known fact is skipped)."""
    if not figures:
        return []
    maintenant = timezone.now()
    cles, lignes = [], []
    for f in figures:
        dep = _departement(f.uo)
        cle = (f.uo.pk, concept_id("J187", f.nature), concept_id("R330", f.statut), concept_id("J189", f.temporalite),
               concept_id("J190", f.genre) if f.genre else None)
        cles.append(cle + (f.date_maj,))
        lignes.append([f.uo.pk, f.uo.eg_id, dep, regions.get(dep), *cle[1:], concept_id("J193", f.source), f.nombre,
                       f.date_maj, getattr(user, "pk", None), getattr(jeton, "pk", None), maintenant])
    nouveaux = {tuple(r) for r in inserer_en_masse(
        Capacite._meta.db_table, COLONNES_HISTORIQUE, lignes,
        suite="ON CONFLICT DO NOTHING RETURNING uo_id, nature_id, statut_id, temporalite_id, genre_id, date_maj")}
    return [f for f, cle in zip(figures, cles) if cle in nouveaux]


def _mettre_a_jour_situations(figures: list[Figure], user, regions: dict) -> None:
    """Fold current figures into SituationLits: per statut, the one with the latest date wins."""
    par_uo: dict[int, dict] = {}
    for f in figures:
        colonne = COLONNES_PAR_STATUT.get(f.statut)
        if f.temporalite != TEMPORALITE_COURANT or f.nature != NATURE_LIT or colonne is None:
            continue
        ligne = par_uo.setdefault(f.uo.pk, {"uo": f.uo, "source": f.source})
        if colonne not in ligne or f.date_maj >= ligne[colonne][1]:
            ligne[colonne] = (f.nombre, f.date_maj)
            if colonne == "disponibles":
                ligne["source"] = f.source
    if not par_uo:
        return
    cols = list(COLONNES_PAR_STATUT.values())
    colonnes = (["uo_id", "eg_id", "departement_id", "region_id"] + [x for c in cols for x in (c, f"{c}_le")]
                + ["saisi_par_id", "source_id", "modifie_le"])
    maintenant, lignes = timezone.now(), []
    for uo_pk, ligne in par_uo.items():
        dep = _departement(ligne["uo"])
        valeurs = [uo_pk, ligne["uo"].eg_id, dep, regions.get(dep)]
        for c in cols:
            valeurs += list(ligne.get(c, (None, None)))
        lignes.append(valeurs + [getattr(user, "pk", None), concept_id("J193", ligne["source"]), maintenant])

    def plus_recent(c):
        return f"(EXCLUDED.{c}_le IS NOT NULL AND (t.{c}_le IS NULL OR EXCLUDED.{c}_le >= t.{c}_le))"

    affectations = ["eg_id = EXCLUDED.eg_id", "departement_id = EXCLUDED.departement_id",
                    "region_id = EXCLUDED.region_id", "modifie_le = EXCLUDED.modifie_le"]
    for c in cols:
        affectations.append(f"{c} = CASE WHEN {plus_recent(c)} THEN EXCLUDED.{c} ELSE t.{c} END")
        affectations.append(f"{c}_le = CASE WHEN {plus_recent(c)} THEN EXCLUDED.{c}_le ELSE t.{c}_le END")
    for c in ("saisi_par_id", "source_id"):
        affectations.append(f"{c} = CASE WHEN {plus_recent('disponibles')} THEN EXCLUDED.{c} ELSE t.{c} END")
    inserer_en_masse(SituationLits._meta.db_table, colonnes, lignes,
                     suite=f"ON CONFLICT (uo_id) DO UPDATE SET {', '.join(affectations)}")


@transaction.atomic
def enregistrer_figures(figures: list[Figure], *, user=None, jeton=None) -> Bilan:
    """Record figures already checked (access, codes, capacity). Idempotent for replays."""
    regions = _regions_par_departement()
    nouvelles = _inserer_historique(figures, user, jeton, regions)
    _mettre_a_jour_situations(nouvelles, user, regions)
    return Bilan(enregistrees=len(nouvelles), deja_connues=len(figures) - len(nouvelles),
                 unites={f.uo.pk for f in figures})
