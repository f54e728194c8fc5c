"""The production web server (uWSGI, deploy/uwsgi.ini, production settings) on the test database, as a context."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

from leadsys.testing.processes import database_url, start_uwsgi, stop


@contextlib.contextmanager
def uwsgi_server(**env_overrides: str) -> Iterator[int]:
    """The server's port while it runs; SIGTERM stops it afterwards (SHOW_SERVER_LOG=1 prints its log)."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "uwsgi.log"
        process, port = start_uwsgi(database_url(connection.settings_dict), log, **env_overrides)
        try:
            yield port
        finally:
            stop(process, timeout=15)
            if os.environ.get("SHOW_SERVER_LOG"):
                print(log.read_text(errors="replace"))
