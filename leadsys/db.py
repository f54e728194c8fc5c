"""The embedded PostgreSQL server used when DATABASE_URL is unset.

pgserver ships real PostgreSQL 16 binaries in a wheel. Its handle is shared
between processes through a lock file and a list of the pids using it, so two
processes starting at once attach to one server instead of starting two; the
last process to exit stops it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "pg"
EMBEDDED_DATABASE_NAME = "leadsys"
HANDLE_FILE = ".handle_pids.json"  # pgserver's list of the pids using the server

_settings: dict[str, Any] | None = None


def embedded_database_settings(data_dir: Path | None = None) -> dict[str, Any]:
    """Start (or attach to) the embedded server; return a DATABASES entry."""
    global _settings
    if _settings is not None:
        return _settings
    # pgserver keeps its lock under XDG_RUNTIME_DIR and warns when unset.
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver  # imported lazily: a server with DATABASE_URL never needs it

    data_dir = _data_dir(data_dir)
    # Made here, not by pgserver: its check-then-mkdir(exist_ok=False) fails the
    # second of two processes starting at once on a fresh clone.
    data_dir.mkdir(parents=True, exist_ok=True)
    # A process killed without running its exit handlers (kill -9, SIGTERM) left its pid in the
    # handle list; with it there, the last live process would never stop the server.
    handles_prune(data_dir)
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


def _data_dir(data_dir: Path | None = None) -> Path:
    return Path(data_dir or os.environ.get("EMBEDDED_PG_DIR") or DEFAULT_DATA_DIR)


def handles_prune(data_dir: Path | None = None) -> list[int]:
    """Drop dead processes from the server's handle list (pgserver's .handle_pids.json); return the live ones."""
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList, process_is_running

    handles = DiskList(_data_dir(data_dir) / HANDLE_FILE)
    with PostgresServer._lock:
        try:
            pids = handles.get()
        except ValueError:  # a process killed while rewriting the file left it empty or cut
            pids = []
            handles.put(pids)
        alive = [pid for pid in pids if pid != os.getpid() and process_is_running(pid)]
        if alive != pids:
            logger.info("embedded PostgreSQL: dropped stale handles %s", sorted(set(pids) - set(alive)))
            handles.put(alive)
    return alive


def embedded_server_stop(data_dir: Path | None = None) -> bool:
    """Stop the embedded server unless a live process still uses it (bin/start, on its way out).

    Returns True when it was running and is now stopped.
    """
    warnings.filterwarnings("ignore", module="platformdirs")
    from pgserver._commands import pg_ctl
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import PostmasterInfo

    path = _data_dir(data_dir)
    if not (path / "postmaster.pid").exists():
        return False
    if handles_prune(path):
        return False  # someone else (a test run, a shell) is still attached
    with PostgresServer._lock:
        info = PostmasterInfo.read_from_pgdata(path)
        if info is None or not info.is_running():
            return False
        user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=path, user=user)
        except subprocess.CalledProcessError:
            # As pgserver does: pg_ctl could not reach the directory (its user lacks access); signal the server.
            info.process.terminate()
            info.process.wait(10)
    return True


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


if __name__ == "__main__":
    # bin/start: `python -m leadsys.db stop` once web and worker have exited.
    import sys

    if sys.argv[1:] != ["stop"]:
        raise SystemExit("usage: python -m leadsys.db stop")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print("embedded PostgreSQL stopped" if embedded_server_stop() else "embedded PostgreSQL: nothing to stop")
