from celery import shared_task

from .relances import envoyer_relances


@shared_task
def relancer_referents() -> int:
    """Monthly (CELERY_BEAT_SCHEDULE): e-mail référents about unverified and incomplete fiches."""
    return envoyer_relances()
