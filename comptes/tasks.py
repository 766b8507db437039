from celery import shared_task


@shared_task(ignore_result=True)
def envoyer_reinitialisation(email: str, domaine: str, https: bool) -> None:
    """The forgotten-password mail, looked up and sent by a worker: the request that asked for it
    answers in the same time whether the address has an account or not (comptes.views.Reinitialisation)."""
    from .forms import FormulaireReinitialisation

    formulaire = FormulaireReinitialisation({"email": email})
    if formulaire.is_valid():
        formulaire.envoyer(domaine, https)
