"""The embedded PostgreSQL server used when DATABASE_URL is unset.

pgserver ships real PostgreSQL 16 binaries in a wheel. Its handle is shared
between processes through a lock file and a list of the pids using it, so two
processes starting at once attach to one server instead of starting two; the
last process to exit stops it.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "pg"
EMBEDDED_DATABASE_NAME = "leadsys"

_settings: dict[str, Any] | None = None


def embedded_database_settings(data_dir: Path | None = None) -> dict[str, Any]:
    """Start (or attach to) the embedded server; return a DATABASES entry."""
    global _settings
    if _settings is not None:
        return _settings
    # pgserver keeps its lock under XDG_RUNTIME_DIR and warns when unset.
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver  # imported lazily: a server with DATABASE_URL never needs it

    data_dir = Path(data_dir or os.environ.get("EMBEDDED_PG_DIR") or DEFAULT_DATA_DIR)
    # Made here, not by pgserver: its check-then-mkdir(exist_ok=False) fails the
    # second of two processes starting at once on a fresh clone.
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    # A unix socket only: the embedded server never listens on a TCP port.
    host, port = str(info.socket_dir), str(info.port or 5432)
    _ensure_database(host=host, port=port, name=EMBEDDED_DATABASE_NAME)
    logger.info("embedded PostgreSQL at %s", host)
    _settings = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }
    return _settings


def _ensure_database(*, host: str, port: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        # Two processes starting at once would both see no database and both
        # create it; a session lock makes the check-and-create one step.
        conn.execute("SELECT pg_advisory_lock(hashtext('leadsys.ensure_database'))")
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
