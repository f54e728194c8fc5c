"""The production web server as deployed: uWSGI with deploy/uwsgi.ini and production settings.

A typo in the ini (strict mode refuses unknown options), a worker that cannot
import the app, or keep-alive that drops the second request would otherwise
only show in production. Real process, real HTTP, the test database.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from leads.intake.tests.support import API_URL, api_payload
from leads.models import Lead

ROOT = Path(__file__).resolve().parents[2]
UWSGI = Path(sys.executable).parent / "uwsgi"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server() -> Iterator[int]:
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
    }
    command = [str(UWSGI), "--ini", "deploy/uwsgi.ini", "--http11-socket", f"127.0.0.1:{port}", "--processes", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read().decode(errors="replace")  # type: ignore[union-attr]
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


def test_it_serves_a_submission_and_the_next_request_on_the_same_connection(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    body = json.dumps(api_payload(email="uwsgi.visitor@example.com"))

    conn.request("POST", API_URL, body=body, headers={"Content-Type": "application/json"})
    created = conn.getresponse()
    created_body = json.loads(created.read())
    conn.request("POST", API_URL, body="{not json", headers={"Content-Type": "application/json"})
    refused = conn.getresponse()
    refused_body = json.loads(refused.read())
    conn.close()

    assert created.status == 201, created_body
    assert Lead.objects.get(id=created_body["lead_id"]).email == "uwsgi.visitor@example.com"
    assert refused.status == 400
    assert "JSON" in json.dumps(refused_body)


def test_it_answers_health_with_production_headers(server: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")  # a live worker's heartbeat
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    conn.request("GET", "/health/")
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()

    assert response.status == 200, body
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("X-Frame-Options") == "DENY"
