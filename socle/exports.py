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


def ligne(valeurs: Iterable) -> list[str]:
    """One row of cells, each neutralised: every CSV the portal writes goes through here."""
    return [cellule(v) for v in valeurs]


def ecrire_csv(fichier, entete: list[str], lignes: Iterable[Iterable]) -> None:
    """The same CSV as reponse_csv, written into an open text file (open data produced on schedule)."""
    ecrivain = csv.writer(fichier, delimiter=";")
    fichier.write("\ufeff")
    ecrivain.writerow(ligne(entete))
    for valeurs in lignes:
        ecrivain.writerow(ligne(valeurs))


class _Echo:
    """csv.writer writes into it and gets the line back, so the response streams."""

    def write(self, ligne: str) -> str:
        return ligne


def reponse_csv(nom_fichier: str, entete: list[str], lignes: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV download: UTF-8 with the BOM (Excel reads the accents), `;` separated, every cell
    neutralised. `lignes` is consumed while the response streams (a generator is fine)."""
    ecrivain = csv.writer(_Echo(), delimiter=";")

    def contenu():
        yield "\ufeff" + ecrivain.writerow(ligne(entete))
        for valeurs in lignes:
            yield ecrivain.writerow(ligne(valeurs))

    reponse = StreamingHttpResponse(contenu(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse
