from celery import shared_task


@shared_task
def relancer_unites_en_retard() -> int:
    """Every quarter of an hour (CELERY_BEAT_SCHEDULE): remind late units of every active situation de tension."""
    from .services.situations_tension import relancer_retards, situations_actives

    return sum(relancer_retards(None, situation) for situation in situations_actives())
