"""Start the production web server (uWSGI, deploy/uwsgi.ini, production settings) on the test database."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
UWSGI = Path(sys.executable).parent / "uwsgi"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def uwsgi_server(**env_overrides: str) -> Iterator[int]:
    """The server's port while it runs; SIGTERM stops it afterwards."""
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "INTAKE_RATE_LIMIT": "0",
        **env_overrides,
    }
    command = [str(UWSGI), "--ini", "deploy/uwsgi.ini", "--http11-socket", f"127.0.0.1:{port}", "--processes", "2"]
    # A file, not a pipe: a server that logs more than a pipe holds would block on it.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, server_log(log)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "uWSGI did not open its socket in 30 s"
                time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)  # die-on-term: SIGTERM stops it instead of reloading
        if os.environ.get("SHOW_SERVER_LOG"):
            print(server_log(log))
        log.close()


def server_log(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")
