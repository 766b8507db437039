import os

from celery import Celery

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
