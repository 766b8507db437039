from celery import shared_task

from . import viatrajectoire


@shared_task(bind=True, acks_late=True, max_retries=None)
def synchroniser_viatrajectoire(self) -> dict:
    """Collect the published changes, then send them; on a network error or a 5xx, retry
    later with exponential backoff (the outbox keeps every pending change meanwhile)."""
    from django.conf import settings

    viatrajectoire.collecter_changements()
    try:
        return viatrajectoire.envoyer_en_attente().en_dict()
    except viatrajectoire.EchecTransitoire as erreur:
        if self.request.retries >= settings.VIATRAJECTOIRE_MAX_RETRIES:
            return {"envoyes": 0, "rejetes": 0, "abandon": str(erreur)}  # the next beat run starts again
        raise self.retry(exc=erreur, countdown=viatrajectoire.delai_backoff(self.request.retries))


@shared_task(acks_late=True)
def exporter_fhir(export_id: str) -> None:
    """Build one FHIR $export (NDJSON per type)."""
    from . import export

    export.purger_expires()
    export.executer(export_id)


@shared_task(acks_late=True)
def produire_opendata() -> int:
    """Daily: the open data files, replaced atomically (served as files by /opendata/)."""
    from . import opendata

    return opendata.produire()
