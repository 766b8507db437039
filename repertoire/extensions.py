"""The one extension point of the Répertoire: what feature apps plug into it.

Feature apps sit above `repertoire`, which imports none of them. Each one fills this
registry in its `AppConfig.ready()`:

- `ajouter_encadre_fiche`: a side box of a fiche (a template, the levels it shows on,
  an optional context function);
- `ajouter_entree_menu`: its entry in the main navigation, shown only to the users who may open
  it (`gestionnaire=True`, or a `visible(user)` predicate asking `repertoire.access`);
- `definir_url_dossier`: where to open a dossier collaboratif on a structure (dossiers);
- `ajouter_a_traiter`: what awaits a user on the home page ("À traiter": dossiers, anomalies,
  units late with their beds, fiches to verify), by role;
- `definir_lecteur_lits`: the available-beds reader the FHIR API serves (disponibilites);
  a consumer that cannot work without it says so with `exiger_lecteur_lits`;
- `proteger_fichiers`: who may read the uploaded files under a folder of MEDIA_ROOT
  (served by repertoire.views.fichier_protege; a file under no registered folder is never served).

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
    visible: Callable | None  # (user) -> bool: shown only to those it lets in (no link to a 403)


@dataclass(frozen=True)
class ATraiter:
    """One line of the home page's "À traiter": a number of things waiting, where to treat them."""

    titre: str
    nombre: int
    url: str
    exemples: tuple = ()  # a few (name, url) to open directly


@dataclass(frozen=True)
class LecteurLits:
    lits_disponibles: Callable  # (uo_ids) -> {uo_id: (available beds, date of the figure)}
    uo_avec_lits_disponibles: Callable  # () -> ids (queryset or list) of units with a bed available
    # Optional, for the FHIR capacities: every TRE_R330 status, and when a unit's beds last changed.
    situations_lits: Callable | None = None  # (uo_ids) -> {uo_id: ({R330 code: (number, date)}, last change)}
    uo_avec_lits: Callable | None = None  # (R330 code[, lookups]) -> ids of units whose figure for that status
    # is > 0 (or meets the lookups: {"gte": n}, {"ne": n}…)
    uo_lits_modifies: Callable | None = None  # ({"gte": datetime, …}) -> ids of units whose beds changed then
    uo_lits_dates: Callable | None = None  # (R330 code, {"gte": datetime, …}) -> ids of units whose figure
    # for that status is dated then


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
        self._a_traiter: list[tuple[int, Callable]] = []
        self._lits: LecteurLits | None = None
        self._lits_exiges_par: list[str] = []
        self._fichiers: dict[str, Callable] = {}

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
                            gestionnaire: bool = False, visible: Callable | None = None) -> None:
        if visible is not None:
            _exiger_appelable(f"la visibilité du menu « {titre} »", visible)
        for e in self.menu:
            if e.nom_url == nom_url or e.rang == rang:
                raise ImproperlyConfigured(f"Menu : « {titre} » ({nom_url}, rang {rang}) "
                                           f"en conflit avec « {e.titre} » ({e.nom_url}, rang {e.rang}).")
        self.menu.append(EntreeMenu(titre, nom_url, prefixe, rang, gestionnaire, visible))
        self.menu.sort(key=lambda e: e.rang)

    def ajouter_a_traiter(self, fonction: Callable, *, rang: int) -> None:
        """`fonction(user) -> ATraiter | None`: what awaits this user (None or 0: nothing to show)."""
        _exiger_appelable("« à traiter »", fonction)
        self._a_traiter.append((rang, fonction))
        self._a_traiter.sort(key=lambda e: e[0])

    def definir_url_dossier(self, fonction: Callable) -> None:
        """`fonction(structure) -> str`: the page opening a dossier collaboratif on it."""
        _exiger_appelable("l'adresse d'un dossier", fonction)
        if self._url_dossier is not None:
            raise ImproperlyConfigured("L'adresse d'ouverture d'un dossier est déjà définie.")
        self._url_dossier = fonction

    def definir_lecteur_lits(self, *, lits_disponibles: Callable, uo_avec_lits_disponibles: Callable,
                             situations_lits: Callable | None = None, uo_avec_lits: Callable | None = None,
                             uo_lits_modifies: Callable | None = None, uo_lits_dates: Callable | None = None) -> None:
        _exiger_appelable("lits_disponibles", lits_disponibles)
        _exiger_appelable("uo_avec_lits_disponibles", uo_avec_lits_disponibles)
        for nom, fonction in (("situations_lits", situations_lits), ("uo_avec_lits", uo_avec_lits),
                              ("uo_lits_modifies", uo_lits_modifies), ("uo_lits_dates", uo_lits_dates)):
            if fonction is not None:
                _exiger_appelable(nom, fonction)
        if self._lits is not None:
            raise ImproperlyConfigured("Un lecteur des lits disponibles est déjà enregistré.")
        self._lits = LecteurLits(lits_disponibles, uo_avec_lits_disponibles, situations_lits, uo_avec_lits,
                                 uo_lits_modifies, uo_lits_dates)

    def exiger_lecteur_lits(self, par: str) -> None:
        """`par` (an app) reads the available beds: start-up fails if no app provides them."""
        self._lits_exiges_par.append(par)

    def proteger_fichiers(self, dossier: str, autoriser: Callable) -> None:
        """`autoriser(user, nom) -> bool`: may the user read the uploaded file `nom` (under `dossier`/)?"""
        _exiger_appelable(f"l'accès aux fichiers {dossier}", autoriser)
        dossier = dossier.strip("/") + "/"
        if dossier in self._fichiers:
            raise ImproperlyConfigured(f"Fichiers {dossier} déjà protégés par une autre application.")
        self._fichiers[dossier] = autoriser

    # -- read by the Répertoire and the apps ----------------------------------------------

    def fichier_autorise(self, user, nom: str) -> bool:
        """Deny by default: a file under no registered folder is nobody's to read."""
        for dossier, autoriser in self._fichiers.items():
            if nom.startswith(dossier):
                return bool(autoriser(user, nom))
        return False

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
        user = getattr(request, "user", None)
        return [{"titre": e.titre, "url": reverse(e.nom_url), "actif": request.path.startswith(e.prefixe)}
                for e in self.menu
                if (gestionnaire or not e.gestionnaire) and (e.visible is None or e.visible(user))]

    def a_traiter(self, user) -> list[ATraiter]:
        """What awaits this user, in the apps' order, only what has something waiting."""
        lignes = (fonction(user) for _, fonction in self._a_traiter)
        return [ligne for ligne in lignes if ligne and ligne.nombre]

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

    def situations_lits(self, uo_ids) -> dict:
        """{uo_id: ({TRE_R330 code: (number, date)}, date of the last change)} (the available beds only
        if the reader gives no more)."""
        lecteur = self._lecteur_lits()
        if lecteur.situations_lits is not None:
            return lecteur.situations_lits(list(uo_ids))
        return {uo: ({"02": (n, date)}, date) for uo, (n, date) in lecteur.lits_disponibles(list(uo_ids)).items()}

    def uo_avec_lits(self, statut: str, bornes: dict | None = None):
        lecteur = self._lecteur_lits()
        if lecteur.uo_avec_lits is not None:
            return lecteur.uo_avec_lits(statut, bornes) if bornes else lecteur.uo_avec_lits(statut)
        return lecteur.uo_avec_lits_disponibles() if statut == "02" and not bornes else []

    def uo_lits_dates(self, statut: str, bornes: dict):
        lecteur = self._lecteur_lits()
        return lecteur.uo_lits_dates(statut, bornes) if lecteur.uo_lits_dates is not None else []

    def uo_lits_modifies(self, bornes: dict):
        lecteur = self._lecteur_lits()
        return lecteur.uo_lits_modifies(bornes) if lecteur.uo_lits_modifies is not None else []

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
