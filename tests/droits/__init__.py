"""The permission matrix: every URL of every app, with the expected answer per role.

Each app lists its URLs in `tests/droits/<app>.py` as `ATTENDUS = [Url(...), ...]`.
`tests/test_matrice_droits.py` fails for any named URL listed nowhere, so a new
page cannot ship without saying who may see it.
"""

from dataclasses import dataclass, field
from typing import Callable

ROLES = ["anonyme", "consultant", "referent", "referent_autre", "directeur", "gestionnaire"]


@dataclass
class Url:
    """One URL and the status code expected for each role.

    `kwargs(region)` builds the URL arguments from the tests.factories.Region
    (the référent is référent of region.ehpad, referent_autre of region.ch, the
    directeur of region.ej). `data(region)` is the POST body. Codes: 200, 302
    (redirect, e.g. anonymous to the login page), 400, 403, 404, 405.
    """

    nom: str
    anonyme: int
    consultant: int
    referent: int
    referent_autre: int
    directeur: int
    gestionnaire: int
    kwargs: Callable = field(default=lambda r: {})
    methode: str = "get"
    data: Callable = field(default=lambda r: {})
    query: str = ""

    def attendu(self, role: str) -> int:
        return getattr(self, role)

    def __str__(self):
        return f"{self.methode.upper()} {self.nom}{'?' + self.query if self.query else ''}"


def lecture_publique(nom, **autres):
    return Url(nom, 200, 200, 200, 200, 200, 200, **autres)


def lecture_connectee(nom, **autres):
    """Pages for every logged-in user; anonymous visitors are sent to the login page."""
    return Url(nom, 302, 200, 200, 200, 200, 200, **autres)


def gestionnaire_seulement(nom, ok=200, **autres):
    return Url(nom, 302, 403, 403, 403, 403, ok, **autres)
