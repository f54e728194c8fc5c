"""Real processes for the operations tests: the supervised worker and uWSGI, pointed at a given database."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
UWSGI = Path(sys.executable).parent / "uwsgi"


def database_url(settings_dict: dict[str, Any]) -> str:
    host = quote(settings_dict["HOST"], safe="")
    return f"postgres://{settings_dict['USER']}@{host}:{settings_dict['PORT']}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def worker_env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "true",
        "EMAIL_PROVIDER": "console",
        # Short clocks so a dead worker's jobs come back within seconds, not half a minute.
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_STALLED_SECONDS": "4",
        "WORKER_MAX_BACKOFF_SECONDS": "2",
        **extra,
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # a file, not a pipe nobody reads, which could fill and block it
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "run_worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_uwsgi(url: str, log: Path, **extra: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "INTAKE_RATE_LIMIT": "0",
        **extra,
    }
    command = [str(UWSGI), "--ini", "deploy/uwsgi.ini", "--http11-socket", f"127.0.0.1:{port}", "--processes", "2"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def serving() -> bool:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for(serving, timeout=30, what="uWSGI opening its socket")
    return process, port


def stop(process: subprocess.Popen[bytes], *, timeout: float = 20) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        raise


def queue_emptied() -> None:
    """Forget jobs other tests left in the test database (transactional tests do not flush procrastinate's tables)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_periodic_defers")
        cursor.execute("DELETE FROM procrastinate_jobs")
        cursor.execute("DELETE FROM procrastinate_workers")
