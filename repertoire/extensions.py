"""The one extension point of the Répertoire: what feature apps plug into it.

Feature apps sit above `repertoire`, which imports none of them. Each one fills this
registry in its `AppConfig.ready()`:

- `ajouter_encadre_fiche`: a side box of a fiche (a template, the levels it shows on,
  an optional context function);
- `ajouter_entree_menu`: its entry in the main navigation;
- `definir_url_dossier`: where to open a dossier collaboratif on a structure (dossiers);
- `definir_lecteur_lits`: the available-beds reader the FHIR API serves (disponibilites);
  a consumer that cannot work without it says so with `exiger_lecteur_lits`.

A misconfiguration fails at start-up: a bad registration raises ImproperlyConfigured
in `ready()`, and `verifier()` (a system check, run by `manage.py check`, `migrate`,
`runserver`) errors on a template that does not exist, a URL name that does not
reverse or a beds reader that is required but missing. Nothing is silently skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse

from .models import Niveau


@dataclass(frozen=True)
class EncadreFiche:
    gabarit: str
    niveaux: frozenset[str]
    contexte: Callable | None  # (structure) -> dict, or None for "no box on this one"


@dataclass(frozen=True)
class EntreeMenu:
    titre: str
    nom_url: str
    prefixe: str  # the current page is under it: the entry is marked current
    rang: int
    gestionnaire: bool  # shown to gestionnaires ROR only


@dataclass(frozen=True)
class LecteurLits:
    lits_disponibles: Callable  # (uo_ids) -> {uo_id: (available beds, date of the figure)}
    uo_avec_lits_disponibles: Callable  # () -> ids (queryset or list) of units with a bed available


def _exiger_appelable(nom: str, fonction) -> None:
    if not callable(fonction):
        raise ImproperlyConfigured(f"Extension du Répertoire : {nom} doit être une fonction, pas {fonction!r}.")


def _echoue(fonction, argument, erreur) -> bool:
    try:
        fonction(argument)
    except erreur:
        return True
    return False


class Registre:
    def __init__(self):
        self.encadres: list[EncadreFiche] = []
        self.menu: list[EntreeMenu] = []
        self._url_dossier: Callable | None = None
        self._lits: LecteurLits | None = None
        self._lits_exiges_par: list[str] = []

    # -- filled by feature apps in AppConfig.ready() --------------------------------------

    def ajouter_encadre_fiche(self, gabarit: str, *, niveaux=None, contexte=None) -> None:
        """A side box on the fiches of `niveaux` (every level if None)."""
        niveaux = frozenset(niveaux or Niveau.values)
        if inconnus := niveaux - set(Niveau.values):
            raise ImproperlyConfigured(f"Encadré {gabarit} : niveaux inconnus {sorted(inconnus)}.")
        if contexte is not None:
            _exiger_appelable(f"le contexte de {gabarit}", contexte)
        if any(e.gabarit == gabarit for e in self.encadres):
            raise ImproperlyConfigured(f"Encadré {gabarit} enregistré deux fois.")
        self.encadres.append(EncadreFiche(gabarit, niveaux, contexte))

    def ajouter_entree_menu(self, titre: str, nom_url: str, *, prefixe: str, rang: int,
                            gestionnaire: bool = False) -> None:
        for e in self.menu:
            if e.nom_url == nom_url or e.rang == rang:
                raise ImproperlyConfigured(f"Menu : « {titre} » ({nom_url}, rang {rang}) "
                                           f"en conflit avec « {e.titre} » ({e.nom_url}, rang {e.rang}).")
        self.menu.append(EntreeMenu(titre, nom_url, prefixe, rang, gestionnaire))
        self.menu.sort(key=lambda e: e.rang)

    def definir_url_dossier(self, fonction: Callable) -> None:
        """`fonction(structure) -> str`: the page opening a dossier collaboratif on it."""
        _exiger_appelable("l'adresse d'un dossier", fonction)
        if self._url_dossier is not None:
            raise ImproperlyConfigured("L'adresse d'ouverture d'un dossier est déjà définie.")
        self._url_dossier = fonction

    def definir_lecteur_lits(self, *, lits_disponibles: Callable, uo_avec_lits_disponibles: Callable) -> None:
        _exiger_appelable("lits_disponibles", lits_disponibles)
        _exiger_appelable("uo_avec_lits_disponibles", uo_avec_lits_disponibles)
        if self._lits is not None:
            raise ImproperlyConfigured("Un lecteur des lits disponibles est déjà enregistré.")
        self._lits = LecteurLits(lits_disponibles, uo_avec_lits_disponibles)

    def exiger_lecteur_lits(self, par: str) -> None:
        """`par` (an app) reads the available beds: start-up fails if no app provides them."""
        self._lits_exiges_par.append(par)

    # -- read by the Répertoire and the apps ----------------------------------------------

    def encadres_fiche(self, request, structure) -> list[str]:
        """The feature boxes of this fiche, rendered (a context function may answer None: no box)."""
        rendus = []
        for encadre in self.encadres:
            if structure.niveau not in encadre.niveaux:
                continue
            contexte = encadre.contexte(structure) if encadre.contexte else {}
            if contexte is not None:
                rendus.append(render_to_string(encadre.gabarit, {"structure": structure, **contexte}, request))
        return rendus

    def entrees_menu(self, request, gestionnaire: bool) -> list[dict]:
        return [{"titre": e.titre, "url": reverse(e.nom_url), "actif": request.path.startswith(e.prefixe)}
                for e in self.menu if gestionnaire or not e.gestionnaire]

    def url_dossier(self, structure) -> str | None:
        """None when no app serves dossiers collaboratifs."""
        return self._url_dossier(structure) if self._url_dossier else None

    def _lecteur_lits(self) -> LecteurLits:
        if self._lits is None:
            raise ImproperlyConfigured("Aucun lecteur des lits disponibles : installez l'application disponibilites.")
        return self._lits

    def lits_disponibles(self, uo_ids) -> dict:
        return self._lecteur_lits().lits_disponibles(list(uo_ids))

    def uo_avec_lits_disponibles(self):
        return self._lecteur_lits().uo_avec_lits_disponibles()

    # -- start-up check -------------------------------------------------------------------

    def verifier(self) -> list[checks.CheckMessage]:
        erreurs = [checks.Error(f"Encadré de fiche : le gabarit {e.gabarit} n'existe pas.", id="repertoire.E001")
                   for e in self.encadres if _echoue(get_template, e.gabarit, TemplateDoesNotExist)]
        erreurs += [checks.Error(f"Menu « {e.titre} » : l'URL {e.nom_url} n'existe pas.", id="repertoire.E002")
                    for e in self.menu if _echoue(reverse, e.nom_url, NoReverseMatch)]
        if self._lits_exiges_par and self._lits is None:
            erreurs.append(checks.Error(
                f"{', '.join(self._lits_exiges_par)} lit les lits disponibles, mais aucune application ne les fournit.",
                hint="Installez disponibilites (ou une application qui appelle definir_lecteur_lits).",
                id="repertoire.E003"))
        return erreurs


registre = Registre()


def verifier_extensions(app_configs=None, **kwargs):
    return registre.verifier()
