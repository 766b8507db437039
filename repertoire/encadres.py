"""The encadrés (boxes) of a fiche, per level, as in the regional guides.

Each encadré lists the fields it shows, those a référent may change directly
(operational data) and those that change only through a dossier collaboratif
(structural data, shown read-only), as the field schema (schema.py) says. The fiche
page, the edit forms, the service `modifier_encadre`, the history ("which encadré") and
the PDF all read this table.
"""

from dataclasses import dataclass, field

from . import schema
from .models import Niveau


@dataclass(frozen=True)
class Encadre:
    cle: str
    titre: str
    lecture: tuple[str, ...]  # fields shown, in order
    champs: tuple[str, ...] = ()  # editable scalar fields
    m2m: tuple[str, ...] = ()  # editable coded lists
    structurels: tuple[str, ...] = ()  # shown, changed only through a dossier collaboratif
    special: tuple[str, ...] = field(default=())  # "contacts", "responsable", "planning", "pieces"

    @property
    def modifiable(self) -> bool:
        return bool(self.champs or self.m2m or self.special)


# The boxes of each level, in order: (key, title, special parts). Their fields come from the schema.
DISPOSITION = {
    Niveau.EJ: [("identification", "Identification", ()), ("adresse", "Adresse", ()), ("contacts", "Contacts", ())],
    Niveau.EG: [
        ("identification", "Identification", ()), ("adresse", "Adresse", ()), ("contacts", "Contacts", ("contacts",)),
        ("responsable", "Direction", ("responsable",)), ("capacite", "Capacité et aide sociale", ()),
        ("photo", "Photo et pièces jointes", ("pieces",)),
    ],
    Niveau.OI: [("identification", "Identification", ()), ("contacts", "Contacts", ("contacts",))],
    Niveau.UO: [
        ("identification", "Identification", ()), ("adresse", "Adresse", ()), ("contacts", "Contacts", ("contacts",)),
        ("patientele", "Patientèle", ()), ("activites", "Activités opérationnelles", ()),
        ("actes", "Actes spécifiques", ()), ("equipements", "Équipements spécifiques", ()),
        ("specialisations", "Spécialisations et compétences", ()),
        ("modalites", "Modalités d'accès et d'accueil", ()), ("capacite", "Capacité", ()),
        ("planning", "Planning", ("planning",)), ("territoire", "Territoire d'intervention", ()),
        ("responsable", "Responsable", ("responsable",)), ("photo", "Photo et pièces jointes", ("pieces",)),
    ],
}


def _encadre(niveau: str, cle: str, titre: str, special: tuple[str, ...]) -> Encadre:
    champs = schema.de_l_encadre(niveau, cle)
    modifiables = [c.nom for c in champs if niveau in c.modifiable]
    m2m = {nom for nom in modifiables if schema.champ_modele(nom).many_to_many}
    return Encadre(cle, titre, tuple(c.nom for c in champs),
                   champs=tuple(nom for nom in modifiables if nom not in m2m),
                   m2m=tuple(nom for nom in modifiables if nom in m2m),
                   structurels=tuple(c.nom for c in champs if niveau in c.structurel), special=special)


ENCADRES = {niveau: [_encadre(niveau, *disposition) for disposition in liste]
            for niveau, liste in DISPOSITION.items()}


def encadres_de(niveau: str) -> list[Encadre]:
    return ENCADRES.get(niveau, [])


def encadre_de(niveau: str, cle: str) -> Encadre | None:
    return next((e for e in encadres_de(niveau) if e.cle == cle), None)
