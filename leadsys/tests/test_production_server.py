"""The production web server as deployed: uWSGI with deploy/uwsgi.ini and production settings.

A typo in the ini (strict mode refuses unknown options), a worker that cannot
import the app, or keep-alive that drops the second request would otherwise
only show in production. Real process, real HTTP, the test database.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest
from django.db import connection

from leads.intake.tests.support import API_URL, api_payload
from leads.models import Lead
from leadsys.tests.production_server import uwsgi_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def server() -> Iterator[int]:
    with uwsgi_server() as port:
        yield port


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
