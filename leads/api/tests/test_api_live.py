"""The API over real HTTP: a token in a header, JSON errors, and the docs' assets served by us."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from assignments.tests.staff import make_rep
from leads.tests.factories import LeadFactory


def fetch(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_serves_leads_to_a_token_and_json_errors_to_everyone_else(live_server: Any) -> None:
    lead = LeadFactory()
    token = Token.objects.create(user=make_rep()).key
    api = f"{live_server.url}/api/v1"

    status, body = fetch(f"{api}/leads/", token)
    assert status == 200
    assert [row["id"] for row in json.loads(body)["results"]] == [str(lead.id)]

    status, body = fetch(f"{api}/leads/")
    assert (status, json.loads(body)["error"]["code"]) == (401, "not_authenticated")
    status, body = fetch(f"{api}/leads/11111111-2222-3333-4444-555555555555/", token)
    assert (status, json.loads(body)["error"]["code"]) == (404, "not_found")

    status, html = fetch(f"{api}/docs/")
    assert status == 200
    status, script = fetch(f"{live_server.url}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert status == 200 and len(script) > 100_000
