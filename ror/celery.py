import os

from celery import Celery
from celery.signals import beat_embedded_init, beat_init, before_task_publish, heartbeat_sent, task_postrun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")

app = Celery("ror")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders() -> None:
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        os.makedirs(backend[len("file://"):], exist_ok=True)


@app.on_after_configure.connect
def _prepare(sender, **kwargs):
    _ensure_filesystem_broker_folders()


# Signs of life for the health page (/sante/): the worker when it starts, beats and runs a
# task; the beat when it starts and each time it sends a task.
_EST_BEAT = False


@beat_init.connect
@beat_embedded_init.connect
def _beat_demarre(sender=None, **kwargs):
    global _EST_BEAT
    _EST_BEAT = True
    _noter("BEAT")


@before_task_publish.connect
def _beat_envoie(sender=None, **kwargs):
    if _EST_BEAT:
        _noter("BEAT")


@worker_ready.connect
@heartbeat_sent.connect
@task_postrun.connect
def _worker_vivant(sender=None, **kwargs):
    _noter("WORKER")


def _noter(qui: str) -> None:
    from socle import sante

    sante.noter(getattr(sante, qui))
