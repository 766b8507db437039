"""The one CSV writer of the portal: what a spreadsheet opens safely and with its accents."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection, OWASP).
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule(valeur) -> str:
    """The text of a cell, a formula neutralised by a leading quote (so "-3" comes out "'-3")."""
    texte = "" if valeur is None else str(valeur)
    return "'" + texte if texte.startswith(DEBUTS_DE_FORMULE) else texte


class _Echo:
    """csv.writer writes into it and gets the line back, so the response streams."""

    def write(self, ligne: str) -> str:
        return ligne


def reponse_csv(nom_fichier: str, entete: list[str], lignes: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV download: UTF-8 with the BOM (Excel reads the accents), `;` separated, every cell
    neutralised. `lignes` is consumed while the response streams (a generator is fine)."""
    ecrivain = csv.writer(_Echo(), delimiter=";")

    def contenu():
        yield "\ufeff" + ecrivain.writerow([cellule(v) for v in entete])
        for ligne in lignes:
            yield ecrivain.writerow([cellule(v) for v in ligne])

    reponse = StreamingHttpResponse(contenu(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse
