"""The one cache of the value sets: code → Concept id, and the active codes a form offers.

Read once per process. The nomenclatures change only when an administrator reloads them
(another process): a code missing from the cache has its value set read again, and the
loader empties the cache of its own process (`vider()`).
"""

from .models import Concept

_IDS: dict[str, dict[str, int]] = {}
_ACTIFS: dict[str, tuple[tuple[int, str, str], ...]] = {}


def ids_du_jeu(jeu: str) -> dict[str, int]:
    """code → Concept id of every code of a value set (active or not)."""
    if not _IDS.get(jeu):
        _IDS[jeu] = dict(Concept.objects.du_jeu(jeu).values_list("code", "id"))
    return _IDS[jeu]


def concept_id(jeu: str, code: str) -> int | None:
    """The id of a code of a value set, None for a code it does not have."""
    if not code:
        return None
    ids = ids_du_jeu(jeu)
    if code not in ids:
        _IDS.pop(jeu, None)  # reloaded since we read it?
        ids = ids_du_jeu(jeu)
    return ids.get(code)


def concepts_actifs(jeu: str) -> tuple[tuple[int, str, str], ...]:
    """(id, code, libellé) of the active codes of a value set, by label (what a list offers)."""
    if jeu not in _ACTIFS:
        concepts = Concept.objects.du_jeu(jeu).actifs().order_by("libelle").values_list("pk", "code", "libelle")
        _ACTIFS[jeu] = tuple((pk, code, libelle.strip()) for pk, code, libelle in concepts)
    return _ACTIFS[jeu]


def vider() -> None:
    _IDS.clear()
    _ACTIFS.clear()
