"""Calls of bed-management software: checked item by item, recorded all or nothing."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from nomenclatures.cache import concept_id
from repertoire.models import JetonApi

from ..models import NATURE_LIT, TEMPORALITE_COURANT
from .enregistrement import Bilan, Figure, SaisieInvalide, controler_plafonds, enregistrer_figures
from .suivi import unites_concernees


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


@transaction.atomic
def appliquer_api(jeton: JetonApi, elements) -> Bilan:
    """One API call (its token already authenticated, scope `lits`): everything or nothing."""
    return enregistrer_figures(lire_elements_api(jeton, elements), jeton=jeton)
