"""Codes of the national value sets → Concept ids, cached (figures are stored by id)."""

from nomenclatures.models import Concept

_CONCEPTS: dict[str, dict[str, int]] = {}


def concepts(jeu: str) -> dict[str, int]:
    """code → Concept id of a value set (cached; reloaded when a code is missing)."""
    if jeu not in _CONCEPTS or not _CONCEPTS[jeu]:
        _CONCEPTS[jeu] = dict(Concept.objects.filter(nomenclature__cle=jeu).values_list("code", "id"))
    return _CONCEPTS[jeu]


def concept_id(jeu: str, code: str) -> int | None:
    ids = concepts(jeu)
    if code not in ids:
        _CONCEPTS.pop(jeu, None)
        ids = concepts(jeu)
    return ids.get(code)
