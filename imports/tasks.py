import logging
from contextlib import ExitStack
from pathlib import Path

import requests
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .importer import empreinte, executer, importer_fichier
from .models import ImportFiness

logger = logging.getLogger(__name__)


def _source(stack: ExitStack, champ, chemin: str):
    """The file of an import: its upload, else the path it was read from."""
    if champ:
        return stack.enter_context(champ.open("rb"))
    return Path(chemin) if chemin else None


@shared_task(bind=True)
def importer_finess(self, import_id: int, confirme: bool = False) -> dict:
    """Run an import (uploaded, or confirmed after its preview); its progress is published
    as the task state (read by the page). The uploaded files are read as a stream and deleted
    as soon as the run ends; only a preview waiting for its confirmation keeps them (the
    confirmation reads them again). The report keeps what matters."""
    from .services import conserver_pour_confirmation, oublier_fichier  # services start this task: imported late

    imp = ImportFiness.objects.get(pk=import_id)

    def progres(fraction, etape):
        self.update_state(state="PROGRESS", meta={"progression": round(100 * fraction), "etape": etape})

    try:
        with ExitStack() as stack:
            principal = _source(stack, imp.fichier, imp.chemin)
            activites = _source(stack, imp.fichier_activites, imp.chemin_activites)
            noms = (imp.fichier.name, imp.fichier_activites.name)
            oublier_fichier(imp)  # deleted at once; the open files are still read (POSIX unlink)
            imp = executer(imp, principal, progres, activites=activites, confirme=confirme)
            if imp.statut == ImportFiness.Statut.A_CONFIRMER:  # the confirmation reads them again
                conserver_pour_confirmation(imp, zip(("fichier", "fichier_activites"), (principal, activites), noms))
    except (FileNotFoundError, ValueError):  # already read by a run that did not finish
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.ECHEC, termine_le=timezone.now(),
            erreur="Le fichier téléversé n'est plus disponible : téléversez-le de nouveau.")
        imp.refresh_from_db()
    return {"statut": imp.statut, "changements": imp.nb_changements}


def _telecharger(url: str, nom: str) -> Path | None:
    """Fetch the data.gouv.fr resource into var/finess/ when reachable (streamed to disk)."""
    if not url:
        return None
    cible = Path(settings.VAR_DIR) / "finess" / nom
    cible.parent.mkdir(parents=True, exist_ok=True)
    try:
        with requests.get(url, stream=True, timeout=(10, 300)) as reponse:
            reponse.raise_for_status()
            partiel = cible.with_suffix(".partiel")
            with open(partiel, "wb") as f:
                for bloc in reponse.iter_content(1 << 20):
                    f.write(bloc)
            partiel.replace(cible)
        return cible
    except (requests.RequestException, OSError) as erreur:
        logger.warning("Flux FINESS %s injoignable (%s) : lecture du fichier configuré", url, erreur)
        return None


def _empreinte(*chemins) -> str:
    """ImportFiness.empreinte of these files (both, in this order)."""
    with ExitStack() as pile:
        return empreinte(*(pile.enter_context(open(c, "rb")) if c else None for c in chemins))


@shared_task
def import_hebdomadaire() -> str:
    """Daily: the FINESS flux (FINESS_URL_STRUCTURES / FINESS_URL_ACTIVITES fetched when
    reachable, else FINESS_FICHIER_PLANIFIE / FINESS_FICHIER_ACTIVITES_PLANIFIE), imported if
    changed since the last import. It never closes past the threshold on its own: such a run
    stops at the preview and the gestionnaires are alerted."""
    structures = _telecharger(getattr(settings, "FINESS_URL_STRUCTURES", ""), "finess-structures-journalier.json")
    activites = _telecharger(getattr(settings, "FINESS_URL_ACTIVITES", ""), "finess-activites-journalier.json")
    configure = Path(settings.FINESS_FICHIER_PLANIFIE) if settings.FINESS_FICHIER_PLANIFIE else None
    structures = structures or (configure if configure and configure.is_file() else None)
    activites_configure = getattr(settings, "FINESS_FICHIER_ACTIVITES_PLANIFIE", "")
    if activites is None and activites_configure and Path(activites_configure).is_file():
        activites = Path(activites_configure)
    if structures is None and activites is None:
        return "aucun fichier FINESS configuré"
    # The same fingerprint as ImportFiness.empreinte (both files, in this order).
    if ImportFiness.objects.filter(empreinte=_empreinte(structures, activites),
                                   statut__in=[ImportFiness.Statut.TERMINE, ImportFiness.Statut.A_CONFIRMER]).exists():
        return "fichier déjà importé"
    imp = importer_fichier(structures, activites=activites, origine=ImportFiness.Origine.PLANIFIE)
    return f"import {imp.pk} : {imp.get_statut_display()}"
