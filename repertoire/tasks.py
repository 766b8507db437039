from celery import shared_task

from .models import Structure
from .pdf import produire


@shared_task(bind=True)
def produire_pdf(self, pk: int, base_url: str | None = None) -> str:  # base_url: ignored (old queued tasks)
    """The PDF of a fiche with many units; its progress is the task state (read by the waiting page)."""

    def progres(fraction, etape):
        self.update_state(state="PROGRESS", meta={"progression": round(100 * fraction), "etape": etape})

    return produire(Structure.objects.get(pk=pk), progres)


@shared_task
def rappeler_expiration_jetons() -> int:
    """Daily: the gestionnaires hear of each API token 30 then 7 days before it expires."""
    from .services.jetons_api import rappeler_expirations

    return rappeler_expirations()
