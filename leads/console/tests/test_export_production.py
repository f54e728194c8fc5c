"""The CSV export through the production server: complete files say so, cut ones cannot pass for complete.

uWSGI gives every request 30 s (harakiri) and an export EXPORT_TIMEOUT_SECONDS. Here the
limit is one second and the client reads slowly, so the server kills the export mid-stream:
what reaches the client has no `# complete: N rows` line, the one mark of a whole file.
And when the database session writing the file dies midway, the file ends saying so.
"""

from __future__ import annotations

import http.client
import secrets
import socket
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from activity.models import StaffRead, StaffReadKind
from assignments.tests.staff import make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.tests.production_server import uwsgi_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EXPORT_URL = "/console/leads/export.csv"
LEADS = 3000
# Bigger than what the sockets buffer on loopback, so a slow reader holds the server up.
MESSAGE = "Tender text. " * 250


# The server's key: the session is signed with it, so the cookie made here signs a rep in there.
SECRET_KEY = secrets.token_urlsafe(50)


def session_cookie() -> str:
    client = Client()
    with override_settings(SECRET_KEY=SECRET_KEY):
        client.force_login(make_rep())
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def leads() -> int:
    Lead.objects.bulk_create(LeadFactory.build_batch(LEADS, message=MESSAGE))
    return Lead.objects.count()


def test_a_whole_export_ends_with_its_row_count(leads: int) -> None:
    cookie = session_cookie()
    with uwsgi_server(SECRET_KEY=SECRET_KEY) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", EXPORT_URL, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
        response = conn.getresponse()
        body = response.read().decode()

    assert response.status == 200, body[:500]
    lines = body.rstrip("\n").split("\n")
    assert lines[-1] == f"# complete: {leads} rows"
    assert body.count(MESSAGE) == leads


def test_an_export_cut_by_the_timeout_is_visibly_incomplete(leads: int) -> None:
    cookie = session_cookie()
    with uwsgi_server(SECRET_KEY=SECRET_KEY, EXPORT_TIMEOUT_SECONDS="1") as port:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        request = (
            f"GET {EXPORT_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}\r\n\r\n"  # keep-alive, as browsers ask
        )
        sock.sendall(request.encode())
        received = sock.recv(4096)
        time.sleep(3)  # a slow reader: the server's one second runs out meanwhile
        sock.settimeout(30)
        while chunk := sock.recv(65536):
            received += chunk
        sock.close()

    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert b"Content-Length" not in head  # nothing promised a size the cut file could match
    # Some rows arrived, not all of them, and nothing claims the file is whole.
    assert 0 < body.count(MESSAGE.encode()) < leads
    assert b"# complete:" not in body


def test_an_export_whose_database_connection_dies_midway_says_it_failed(leads: int) -> None:
    """The database session writing the file is killed mid-stream (an operator's
    pg_terminate_backend, a failover): the file ends with a line saying it is incomplete."""
    cookie = session_cookie()
    with uwsgi_server(SECRET_KEY=SECRET_KEY) as port:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.sendall(
            f"GET {EXPORT_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}\r\n\r\n".encode()
        )
        received = b""
        while received.count(MESSAGE.encode()) < 3:  # rows are flowing; this slow reader holds the COPY up
            received += sock.recv(4096)
        assert terminate_the_copy() == 1
        sock.settimeout(30)
        while chunk := sock.recv(65536):
            received += chunk
        sock.close()

    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    lines = body.rstrip(b"\n").split(b"\n")
    written = body.count(MESSAGE.encode())
    assert 0 < written < leads
    assert lines[-1].startswith(b"# export FAILED after ") and lines[-1].endswith(b" rows: this file is incomplete")
    assert b"# complete:" not in body
    # The export is still in the audit of staff reads, with the rows it had sent.
    read = StaffRead.objects.get(kind=StaffReadKind.CSV_EXPORT)
    assert 0 < read.row_count < leads


def terminate_the_copy() -> int:
    """pg_terminate_backend() on the server's session that runs the export's COPY; how many it ended."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query LIKE 'COPY (SELECT%%' AND pid <> pg_backend_pid()"
            )
            ended = cursor.fetchone()[0]
        if ended:
            return ended
        time.sleep(0.05)
    return 0
