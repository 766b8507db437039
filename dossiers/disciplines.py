"""Which types d'UO (JDV J34, catégorie d'organisation) belong to which discipline.

J34 carries no discipline of its own; the ROR screens filter it by "grand groupe de
disciplines" first. This table follows the labels of the J34 codes (01–20 psychiatry,
21–67 medico-social, 100–112 SMR…). A code may serve several disciplines.
"""

from repertoire.models import Discipline

_PLAGES = [
    (range(1, 21), {Discipline.PSY, Discipline.SMA}),
    (range(21, 68), {Discipline.MSS}),
    (range(68, 69), {Discipline.PSY, Discipline.SMA}),
    (range(69, 72), {Discipline.MCO, Discipline.PSY, Discipline.SMR, Discipline.SLD}),
    (range(72, 76), {Discipline.MSS}),
    (range(76, 79), {Discipline.PSY}),
    (range(79, 80), {Discipline.SMR}),
    (range(80, 82), {Discipline.MSS}),
    (range(82, 84), {Discipline.MCO}),
    (range(84, 87), {Discipline.MSS}),
    (range(87, 88), {Discipline.PSY}),
    (range(88, 89), set(Discipline)),
    (range(89, 90), {Discipline.MCO, Discipline.VIL}),
    (range(90, 93), {Discipline.MCO}),
    (range(93, 99), {Discipline.MSS}),
    (range(99, 100), {Discipline.VIL}),
    (range(100, 113), {Discipline.SMR}),
]
# Codes shared across disciplines: hospital units (HDJ, hospitalisation, urgences) also
# in MCO/SMR/SLD, some medico-social units in psychiatry or long-term care, city offers.
_EN_PLUS = {
    3: {Discipline.MCO}, 11: {Discipline.MCO, Discipline.SMR}, 12: {Discipline.MCO},
    16: {Discipline.MCO, Discipline.SMR, Discipline.SLD}, 20: {Discipline.MCO}, 21: {Discipline.SLD},
    22: {Discipline.SLD}, 69: {Discipline.VIL}, 72: {Discipline.VIL}, 80: {Discipline.PSY}, 92: {Discipline.VIL},
    101: {Discipline.SLD},
}


def disciplines_du_type(code: str) -> set[str]:
    """Disciplines a J34 code belongs to (every discipline for an unknown code)."""
    try:
        numero = int(code)
    except (TypeError, ValueError):
        return set(Discipline)
    for plage, disciplines in _PLAGES:
        if numero in plage:
            return set(disciplines) | _EN_PLUS.get(numero, set())
    return set(Discipline)


def type_convient(code: str, discipline: str) -> bool:
    return not discipline or discipline in disciplines_du_type(code)
