"""Every write of disponibilites: one function per user action, atomic, recording who.

Figures are appended to `Capacite` (never updated) and folded into `SituationLits`
by one upsert whose condition keeps, per statut, the figure with the latest date:
two updates of the same unit at once are both kept, and the latest wins whatever
the order in which their transactions commit.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from nomenclatures.cache import concept_id, ids_du_jeu
from nomenclatures.models import Concept, Departement
from repertoire import access as repertoire_access
from repertoire.models import Niveau, Structure, StructureUserObjectPermission
from socle.audit import Action, journaliser
from socle.ecriture import inserer_en_masse

from .models import (COLONNES_PAR_STATUT, NATURE_LIT, SOURCE_SAISIE_MANUELLE, STATUT_DISPONIBLE,
                     STATUT_SUPPLEMENTAIRE, TEMPORALITE_COURANT, Capacite, JetonApi, Relance, SituationLits,
                     SituationTension, UniteMarquee)

# -- reference codes -------------------------------------------------------------

def _regions_par_departement() -> dict[str, str]:
    return dict(Departement.objects.values_list("code", "region_id"))


# -- which units are followed ----------------------------------------------------

def ids_activites_suivies(type_unite: str | None = None) -> list[int]:
    """Concept ids of the J17 codes followed (all, or those of one type of unit)."""
    if type_unite:
        codes = settings.DISPONIBILITES_TYPES_UNITE.get(type_unite, ("", []))[1]
    else:
        codes = settings.DISPONIBILITES_ACTIVITES_J17
    ids = ids_du_jeu("J17")
    return [ids[c] for c in codes if c in ids]


def unites_concernees():
    """Open UO followed for beds: a critical-care activity, or marked by a gestionnaire."""
    par_activite = Structure.activites.through.objects.filter(
        concept_id__in=ids_activites_suivies()).values("structure_id")
    marquees = UniteMarquee.objects.filter(suivie=True).values("uo_id")
    retirees = UniteMarquee.objects.filter(suivie=False).values("uo_id")
    return (Structure.objects.filter(niveau=Niveau.UO, etat="ouvert")
            .filter(Q(pk__in=par_activite) | Q(pk__in=marquees)).exclude(pk__in=retirees))


def est_concernee(uo: Structure) -> bool:
    return unites_concernees().filter(pk=uo.pk).exists()


# -- recording figures -----------------------------------------------------------

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


# Bulk writes pass one array per column (`unnest`): a few parameters instead of 14 per figure.
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


@dataclass
class LigneSaisie:
    """What a user typed for one unit on the Saisie screen (None: left blank)."""

    uo: Structure
    disponibles: int | None = None
    supplementaires: int | None = None
    fermes: int | None = None


def saisir_lits(user, lignes: list[LigneSaisie]) -> Bilan:
    """Saisie screen: record the figures of several units at once, all or nothing."""
    from .access import exiger_saisie

    maintenant = timezone.now()
    figures = []
    for ligne in lignes:
        exiger_saisie(user, ligne.uo)
        for statut, valeur in ((STATUT_DISPONIBLE, ligne.disponibles), (STATUT_SUPPLEMENTAIRE,
                                                                         ligne.supplementaires),
                               ("05", ligne.fermes)):
            if valeur is not None:
                figures.append(Figure(ligne.uo, statut, valeur, maintenant))
    erreurs = controler_plafonds(figures)
    if erreurs:
        raise SaisieInvalide(erreurs)
    return enregistrer_figures(figures, user=user)


# -- API for bed-management software ---------------------------------------------

def _empreinte(clair: str) -> str:
    return hashlib.sha256(clair.encode()).hexdigest()


@transaction.atomic
def creer_jeton(user, eg: Structure, libelle: str) -> tuple[JetonApi, str]:
    """A new token for an EG's software; the clear value is shown once, only its hash is kept."""
    repertoire_access.exiger_gestionnaire(user)
    clair = "ror_" + secrets.token_urlsafe(32)
    jeton = JetonApi.objects.create(eg=eg, libelle=libelle.strip()[:120], empreinte=_empreinte(clair),
                                    prefixe=clair[:8], cree_par=user)
    journaliser(user, Action.LITS_JETON_CREE, f"jeton:{jeton.pk}", {"eg": eg.pk})
    return jeton, clair


@transaction.atomic
def revoquer_jeton(user, jeton: JetonApi) -> JetonApi:
    repertoire_access.exiger_gestionnaire(user)
    if jeton.revoque_le is None:
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
        journaliser(user, Action.LITS_JETON_REVOQUE, f"jeton:{jeton.pk}", {"eg": jeton.eg_id})
    return jeton


def authentifier_jeton(clair: str) -> JetonApi | None:
    if not clair:
        return None
    return JetonApi.objects.filter(empreinte=_empreinte(clair), revoque_le__isnull=True).select_related(
        "eg").first()


def _code_valide(jeu: str, code, obligatoire: bool, defaut: str | None = None):
    if code in (None, ""):
        if obligatoire and defaut is None:
            raise ValueError(f"« {jeu} » manquant")
        return defaut
    if not isinstance(code, str) or concept_id(jeu, code) is None:
        raise ValueError(f"code {code!r} inconnu dans le jeu de valeurs {jeu}")
    return code


MAX_ELEMENTS_API = 20000
CHAMPS_API = {"uo", "statut", "nombre", "date_maj", "nature", "temporalite", "genre", "source"}


def lire_elements_api(jeton: JetonApi, elements) -> list[Figure]:
    """Parse and check an API call; raise SaisieInvalide (by item index) if any item is bad."""
    if not isinstance(elements, list) or not elements:
        raise SaisieInvalide({"disponibilites": ["« disponibilites » doit être une liste non vide."]})
    if len(elements) > MAX_ELEMENTS_API:
        raise SaisieInvalide({"disponibilites": [f"Au plus {MAX_ELEMENTS_API} éléments par appel."]})
    ids = {e.get("uo") for e in elements if isinstance(e, dict) and isinstance(e.get("uo"), int)}
    unites = {u.pk: u for u in unites_concernees().filter(pk__in=ids).select_related("eg").only(
        "id", "nom", "eg_id", "departement_id", "lits_installes", "eg__departement_id")}
    erreurs, figures, index_par_uo = {}, [], {}
    for i, e in enumerate(elements):
        try:
            if not isinstance(e, dict):
                raise ValueError("chaque élément doit être un objet JSON")
            inconnus = set(e) - CHAMPS_API
            if inconnus:
                raise ValueError(f"champs inconnus : {', '.join(sorted(inconnus))}")
            uo = unites.get(e.get("uo")) if isinstance(e.get("uo"), int) else None
            if uo is None:
                raise ValueError(f"unité {e.get('uo')!r} inconnue ou non suivie en lits")
            if uo.eg_id != jeton.eg_id:
                raise ValueError(f"l'unité {uo.pk} n'appartient pas à l'établissement de ce jeton")
            statut = _code_valide("R330", e.get("statut"), True)
            if statut == "01":
                raise ValueError("la capacité installée se déclare dans le Répertoire, pas par l'API")
            nombre = e.get("nombre")
            if not isinstance(nombre, int) or isinstance(nombre, bool) or not 0 <= nombre <= 10000:
                raise ValueError("« nombre » doit être un entier positif ou nul")
            date_maj = _lire_date(e.get("date_maj"))
            figures.append(Figure(
                uo, statut, nombre, date_maj,
                nature=_code_valide("J187", e.get("nature"), True, NATURE_LIT),
                temporalite=_code_valide("J189", e.get("temporalite"), True, TEMPORALITE_COURANT),
                genre=_code_valide("J190", e.get("genre"), False),
                source=_code_valide("J193", e.get("source"), True, "02")))
            index_par_uo.setdefault(uo.pk, i)
        except ValueError as erreur:
            erreurs[i] = [str(erreur)]
    for uo_pk, messages in controler_plafonds(figures).items():
        erreurs.setdefault(index_par_uo[uo_pk], []).extend(messages)
    if erreurs:
        raise SaisieInvalide(erreurs)
    return figures


def _lire_date(valeur) -> datetime:
    from django.utils.dateparse import parse_datetime

    try:
        date = parse_datetime(valeur) if isinstance(valeur, str) else None
    except ValueError:
        date = None
    if date is None:
        raise ValueError("« date_maj » doit être une date ISO 8601, ex. 2026-11-22T08:30:00+01:00")
    if timezone.is_naive(date):
        raise ValueError("« date_maj » doit préciser le fuseau horaire (ex. +01:00 ou Z)")
    if date > timezone.now() + timedelta(minutes=5):
        raise ValueError("« date_maj » est dans le futur")
    return date


def appliquer_api(jeton: JetonApi, elements) -> Bilan:
    """One API call: everything or nothing."""
    figures = lire_elements_api(jeton, elements)
    bilan = enregistrer_figures(figures, jeton=jeton)
    JetonApi.objects.filter(pk=jeton.pk).update(dernier_usage=timezone.now())
    return bilan


# -- units a gestionnaire adds or removes ----------------------------------------

@transaction.atomic
def marquer_unite(user, uo: Structure, suivie: bool) -> UniteMarquee:
    repertoire_access.exiger_gestionnaire(user)
    if uo.niveau != Niveau.UO:
        raise ValueError("Seule une unité opérationnelle peut être suivie en lits.")
    marque, _ = UniteMarquee.objects.update_or_create(uo=uo, defaults={"suivie": suivie, "par": user,
                                                                        "le": timezone.now()})
    journaliser(user, Action.LITS_UNITE_SUIVIE if suivie else "disponibilites.unite_retiree",
                f"structure:{uo.pk}")
    return marque


# -- situations de tension -------------------------------------------------------

@transaction.atomic
def declarer_tension(user, type_crise: Concept, departement, frequence_heures: int,
                     commentaire: str = "") -> SituationTension:
    repertoire_access.exiger_gestionnaire(user)
    situation = SituationTension.objects.create(type_crise=type_crise, departement=departement,
                                                frequence_heures=frequence_heures, commentaire=commentaire,
                                                declaree_par=user)
    journaliser(user, Action.TENSION_DECLAREE, f"tension:{situation.pk}")
    return situation


@transaction.atomic
def lever_tension(user, situation: SituationTension) -> SituationTension:
    repertoire_access.exiger_gestionnaire(user)
    if situation.fin is None:
        situation.fin = timezone.now()
        situation.levee_par = user
        situation.save(update_fields=["fin", "levee_par"])
        journaliser(user, Action.TENSION_LEVEE, f"tension:{situation.pk}")
    return situation


def situations_actives():
    return SituationTension.objects.filter(fin__isnull=True).select_related("type_crise", "departement")


def unites_en_retard(situation: SituationTension):
    """Followed units of the territory whose available beds were not updated within the expected frequency."""
    limite = timezone.now() - timedelta(hours=situation.frequence_heures)
    unites = unites_concernees().select_related("eg", "situation_lits")
    if situation.departement_id:
        unites = unites.filter(Q(departement_id=situation.departement_id)
                               | Q(departement__isnull=True, eg__departement_id=situation.departement_id))
    return unites.filter(Q(situation_lits__isnull=True) | Q(situation_lits__disponibles_le__isnull=True)
                         | Q(situation_lits__disponibles_le__lt=limite)).order_by("eg__nom", "nom")


def referents_de(uo: Structure) -> list[str]:
    """E-mail addresses of the people who enter this unit's beds (rights on it or above)."""
    perms = StructureUserObjectPermission.objects.filter(
        permission__codename__in=["referent", "saisie_lits"], content_object__tree_id=uo.tree_id,
        content_object__lft__lte=uo.lft, content_object__rght__gte=uo.rght, user__is_active=True,
    ).exclude(user__email__isnull=True).exclude(user__email="")
    return sorted(set(perms.values_list("user__email", flat=True)))


def relancer_retards(situation: SituationTension, acteur=None) -> int:
    """E-mail the référents of late units (at most once per DISPONIBILITES_RELANCE_MINUTES each)."""
    if not situation.active:
        return 0
    recent = timezone.now() - timedelta(minutes=settings.DISPONIBILITES_RELANCE_MINUTES)
    deja = set(Relance.objects.filter(situation=situation, envoyee_le__gte=recent).values_list("uo_id", flat=True))
    envoyees = 0
    lien = getattr(settings, "ROR_URL_PORTAIL", "") + reverse("disponibilites:saisie")
    for uo in unites_en_retard(situation):
        if uo.pk in deja:
            continue
        destinataires = referents_de(uo)
        if destinataires:
            send_mail(
                f"[ROR] {situation.type_crise.libelle} : lits disponibles à mettre à jour — {uo.nom}",
                f"Bonjour,\n\nUne situation de tension est déclarée ({situation}). Les lits disponibles de "
                f"l'unité « {uo.nom} » ({uo.eg.nom if uo.eg_id else ''}) doivent être mis à jour au moins "
                f"toutes les {situation.frequence_heures} heures ; la dernière mise à jour date de plus "
                f"longtemps.\n\nMettre à jour : {lien}\n\nL'équipe du ROR {settings.ROR_REGION_NOM}",
                None, destinataires)
            envoyees += 1
        Relance.objects.create(situation=situation, uo=uo, destinataires=len(destinataires))
    if acteur is not None:
        journaliser(acteur, Action.TENSION_RELANCE, f"tension:{situation.pk}", {"unites": envoyees})
    return envoyees
