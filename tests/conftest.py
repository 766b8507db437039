"""Shared fixtures: a small real region, one user per role, a real Celery worker,
real Chromium. Everything runs against the embedded PostgreSQL (or DATABASE_URL)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ROR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _reglages_de_test(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROR_CGU_VERSION = ""  # CGU not asked, except in tests/test_comptes_* that set a version
    settings.LEAFLET_TILES_URL = ""  # maps offline: no test reaches a tile server
    from django.core.cache import cache

    cache.clear()  # nothing cached by a test (pages under the version of the offer…) is read by the next


TABLES_DE_REFERENCE = ["nomenclatures_nomenclature", "nomenclatures_concept", "nomenclatures_region",
                       "nomenclatures_departement", "nomenclatures_epci", "nomenclatures_commune"]
_COPIE_REFERENCES: dict[str, bytes] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data every test needs: nomenclatures and communes, loaded once and
    kept as a COPY image, so that transactional tests (which empty every table) get it back fast."""
    from django.core.management import call_command
    from django.db import connection

    with django_db_blocker.unblock():
        call_command("load_nomenclatures", stdout=open(os.devnull, "w"))
        call_command("load_communes", stdout=open(os.devnull, "w"))
        with connection.cursor() as cursor:
            for table in TABLES_DE_REFERENCE:
                with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                    _COPIE_REFERENCES[table] = b"".join(bytes(block) for block in copy)


def _restaurer_references():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM nomenclatures_concept LIMIT 1")
        if cursor.fetchone():
            return
        for table in TABLES_DE_REFERENCE:
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                copy.write(_COPIE_REFERENCES[table])


@pytest.fixture(autouse=True)
def _references(request, django_db_blocker):
    """After a transactional test emptied the tables, put the reference data back."""
    utilise_la_base = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "django_db_setup", "live_server"} & set(request.fixturenames)
    if not utilise_la_base:
        yield
        return
    with django_db_blocker.unblock():
        _restaurer_references()
    yield


# -- a small region and its users ---------------------------------------------------

@pytest.fixture
def region(db):
    from django.test import TestCase

    from tests.factories import construire_region

    # Built as if committed: what follows a commit (the search index…) has followed it.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return construire_region()


@pytest.fixture
def connecte(client, region):
    """The test client logged in as the region's consultant (the search's usual reader)."""
    client.force_login(region.consultant)
    return client


# -- Chromium -----------------------------------------------------------------------

def _chromium_disponible() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not _chromium_disponible():
        if os.environ.get("ROR_REQUIRE_CHROMIUM"):
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) alors que ROR_REQUIRE_CHROMIUM est posé.")
        pytest.skip(f"Chromium absent ({CHROMIUM}) : apt-get install chromium chromium-driver")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"],
    }


@pytest.fixture
def connecter(live_server, page):
    """Log a user in through the real login form, in Chromium."""

    def _connecter(user, password="mot-de-passe-de-test"):
        page.goto(f"{live_server.url}/connexion/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return _connecter


# -- Celery: a real worker process --------------------------------------------------

def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server on 127.0.0.1 when one is installed (always in CI); else None."""
    binaire = shutil.which("redis-server")
    if not binaire:
        if os.environ.get("ROR_REQUIRE_REDIS"):
            pytest.fail("redis-server introuvable alors que ROR_REQUIRE_REDIS est posé.")
        yield None
        return
    port = _port_libre()
    proc = subprocess.Popen([binaire, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(5)


def _url_base_de_test() -> str:
    from django.db import connection

    s = connection.settings_dict
    if s.get("HOST", "").startswith("/"):
        return f"postgresql://{s['USER']}@/{s['NAME']}?host={s['HOST']}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, redis_url, tmp_path):
    """Start a real `celery worker` process on the test database.

    Broker: the session's redis-server when available, else the file-system broker.
    Yields a dict with the broker used.
    """
    from ror.celery import app

    env = {**os.environ, "DATABASE_URL": _url_base_de_test(), "CELERY_DATA_DIR": str(tmp_path / "celery"),
           "MEDIA_ROOT": str(tmp_path / "media")}
    if redis_url:
        env["REDIS_URL"] = redis_url
        conf = {"broker_url": redis_url, "result_backend": redis_url, "broker_transport_options": {}}
    else:
        env.pop("REDIS_URL", None)
        dossier = tmp_path / "celery"
        for sous in ("queue", "processed", "results"):
            (dossier / sous).mkdir(parents=True, exist_ok=True)
        conf = {"broker_url": "filesystem://", "result_backend": f"file://{dossier / 'results'}",
                "broker_transport_options": {"data_folder_in": str(dossier / "queue"),
                                             "data_folder_out": str(dossier / "queue"),
                                             "processed_folder": str(dossier / "processed")}}
    ancien = {k: app.conf.get(k) for k in conf}
    app.conf.update(conf)
    _oublier_connexions(app)
    journal = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ror", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=BASE_DIR, env=env, stdout=journal, stderr=subprocess.STDOUT)
    try:
        # Ready when it answers a ping task.
        from socle.tasks import ping

        ping.delay("prêt").get(timeout=60)
        yield {"broker": "redis" if redis_url else "filesystem", "process": proc, "log": tmp_path / "worker.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        journal.close()
        app.conf.update(ancien)
        _oublier_connexions(app)


def _oublier_connexions(app):
    """Forget the broker and result connections made with the previous settings: a task sent
    earlier in the session (by a live-server test, after a commit) must not keep the old broker."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()
