from celery import shared_task
from django.db import connection


@shared_task
def ping(message: str = "pong") -> dict:
    """Demo task: proves a worker runs our code against the same database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    return {"message": message, "database": database}


@shared_task(ignore_result=True)
def battement() -> None:
    """Sent by the beat every minute: running it proves a worker takes tasks (see socle.sante)."""
    from . import sante

    sante.noter(sante.WORKER)
