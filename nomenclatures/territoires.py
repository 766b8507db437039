"""A territoire d'intervention in words, as a person thinks of it: whole départements and EPCI
first (« Maine-et-Loire (49) : tout le département »), then the communes left, not 180 names.

The same summary serves every set of communes a page shows (a territory, what a change adds
or removes), so what the screen says is the set itself, grouped: nothing is hidden, a long
list of remaining communes is behind a disclosure.
"""

from django.db.models import Count
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

COMMUNES_VISIBLES = 8  # beyond, the remaining communes are behind « N communes »


class Resume(str):
    """The summary of a set of communes: a str (plain text for e-mails, CSV, tests), rendered
    in a template with its long list of communes behind a <details>."""

    def __new__(cls, entiers: list[str], communes: list[str]):
        texte = " ; ".join(entiers + ([", ".join(communes)] if communes else []))
        resume = super().__new__(cls, texte)
        resume.entiers, resume.communes = entiers, communes
        return resume

    def __html__(self):
        parties = [escape(e) for e in self.entiers]
        if len(self.communes) > COMMUNES_VISIBLES:
            titre = f"{'et ' if self.entiers else ''}{len(self.communes)} communes"
            parties.append(format_html('<details class="ror-territoire"><summary>{}</summary>{}</details>',
                                       titre, ", ".join(self.communes)))
        elif self.communes:
            parties.append(escape(", ".join(self.communes)))
        return mark_safe("<br>".join(parties))


class Territoires:
    """The size of the départements and EPCI of some communes, read once for a page (two
    queries), to say which of them a set of communes covers whole."""

    def __init__(self, communes):
        from .models import Commune

        self.communes = {c.pk: c for c in communes}
        departements = {c.departement_id for c in self.communes.values()}
        epcis = {c.epci_id for c in self.communes.values() if c.epci_id}
        self.departements = {code: (nom, n) for code, nom, n in Commune.objects.filter(
            departement__in=departements).order_by().values_list("departement", "departement__nom").annotate(
            n=Count("pk"))} if departements else {}
        self.epcis = {code: (nom, n) for code, nom, n in Commune.objects.filter(epci__in=epcis).order_by().values_list(
            "epci", "epci__nom").annotate(n=Count("pk"))} if epcis else {}

    def resumer(self, codes, libeller, deja=()) -> Resume:
        """`codes` (INSEE codes) as whole départements, then whole EPCI, then the communes
        left, each named by `libeller(code)`. `deja`: communes a territory already had, when
        `codes` are what a change adds (« le reste du département »)."""
        entiers, restantes = self.grouper(codes, deja)
        phrases = []
        for sorte, code, nom, n, prises, entier in entiers:
            if sorte == "departement":
                phrases.append(f"{nom} ({code}) : " + ("tout le département" if entier == "tout" else
                                                       f"le reste du département ({prises} communes)"))
            else:
                phrases.append(f"{nom} : " + (f"toute l'EPCI ({n} communes)" if entier == "tout" else
                                              f"le reste de l'EPCI ({prises} communes)"))
        return Resume(phrases, sorted(libeller(code) for code in restantes))

    def grouper(self, codes, deja=()) -> tuple[list[tuple], list[str]]:
        """([(« departement » or « epci », code, nom, size, communes taken, « tout » or « reste »)],
        the codes of the communes left): départements first, then EPCI among what is left."""
        codes = set(codes)
        deja = [self.communes[c] for c in set(deja) - codes if c in self.communes]
        connues = [self.communes[c] for c in codes if c in self.communes]
        entiers, restantes = [], []
        for code, communes in sorted(_par(connues, "departement_id").items()):
            nom, n = self.departements.get(code, ("", 0))
            entier = _entier(communes, n, deja, "departement_id", code)
            if entier:
                entiers.append(("departement", code, nom, n, len(communes), entier))
            else:
                restantes += communes
        par_epci = _par([c for c in restantes if c.epci_id], "epci_id")
        for code, communes in sorted(par_epci.items(), key=lambda e: self.epcis.get(e[0], ("",))[0]):
            nom, n = self.epcis.get(code, ("", 0))
            entier = _entier(communes, n, deja, "epci_id", code)
            if entier:
                entiers.append(("epci", code, nom, n, len(communes), entier))
                restantes = [c for c in restantes if c.epci_id != code]
        return entiers, [c.pk for c in restantes] + [c for c in codes if c not in self.communes]


def _entier(communes, n, deja, attribut, code) -> str:
    """« tout » when `communes` are the whole group of `n`, « reste » when they complete it with
    communes already there (`deja`), else ""."""
    if n < 2 or not communes:
        return ""
    if len(communes) == n:
        return "tout"
    autres = sum(1 for c in deja if getattr(c, attribut) == code)
    return "reste" if len(communes) + autres == n and len(communes) > 1 else ""


def _par(communes, attribut: str) -> dict:
    groupes: dict = {}
    for commune in communes:
        groupes.setdefault(getattr(commune, attribut), []).append(commune)
    return groupes
