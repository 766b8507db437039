from celery import shared_task

from .relances import envoyer_relances


@shared_task
def relancer_referents() -> int:
    """Monthly (CELERY_BEAT_SCHEDULE): e-mail référents about unverified and incomplete fiches."""
    return envoyer_relances()


@shared_task
def releve_hebdomadaire() -> int:
    """Weekly (CELERY_BEAT_SCHEDULE): snapshot the ANS requirements for their trend."""
    from .services import relever_exigences

    return relever_exigences()


@shared_task
def inviter_referents(campagne_id: int) -> int:
    """After a campaign is launched: e-mail each référent the signed link to their fiches."""
    from .campagnes import inviter
    from .models import Campagne

    campagne = Campagne.objects.filter(pk=campagne_id).first()
    return inviter(campagne) if campagne else 0


@shared_task
def relancer_campagnes() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): remind référents, then alert directeurs, of fiches still waiting."""
    from .campagnes import relancer_campagnes as relancer

    return dict(relancer())
