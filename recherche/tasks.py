from celery import shared_task

from .indexation import reindexer_tout


@shared_task
def reindexer_recherche() -> int:
    """Rebuild the whole search index (after a bulk change of the offer, e.g. a national FINESS import)."""
    return reindexer_tout()
