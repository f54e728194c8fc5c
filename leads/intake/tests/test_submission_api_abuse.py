"""No body, header or content type makes the submission API answer 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from leads.intake.tests.support import API_URL, api_payload, table_counts

pytestmark = pytest.mark.django_db

VALID = json.dumps(api_payload())


def with_changes(**changes: Any) -> str:
    return json.dumps(api_payload(**changes))


# (raw body, content type, extra headers, expected status): refused, or accepted when harmless.
NASTY: list[Any] = [
    pytest.param(b"", "application/json", {}, 400, id="empty-body"),
    pytest.param(b"{", "application/json", {}, 400, id="truncated"),
    pytest.param(b"\xff\xfe\x00garbage", "application/json", {}, 400, id="not-utf8"),
    pytest.param("[" * 50_000, "application/json", {}, 400, id="deep-nesting"),
    pytest.param('{"name": NaN, "email": "a@b.co"}', "application/json", {}, 400, id="nan"),
    pytest.param('{"name": ' + "9" * 5_000 + "}", "application/json", {}, 400, id="huge-int"),
    pytest.param(with_changes(name="\ud800 Lone"), "application/json", {}, 400, id="surrogate-in-field"),
    pytest.param(
        with_changes(extra="\udfff"), "application/json", {"HTTP_IDEMPOTENCY_KEY": "k1"}, 400, id="surrogate-extra"
    ),
    pytest.param(
        json.dumps({**api_payload(), "\ud800key": 1}),
        "application/json",
        {"HTTP_IDEMPOTENCY_KEY": "k2"},
        400,
        id="surrogate-key",
    ),
    pytest.param(with_changes(name="Nul\u0000Name"), "application/json", {}, 400, id="nul-in-name"),
    pytest.param(with_changes(product_interests=[None]), "application/json", {}, 400, id="null-interest"),
    pytest.param(with_changes(product_interests=[[]]), "application/json", {}, 400, id="list-interest"),
    pytest.param(with_changes(product_interests=None), "application/json", {}, 400, id="null-interests"),
    pytest.param(with_changes(consent=None), "application/json", {}, 400, id="null-consent"),
    pytest.param(with_changes(consent=[True]), "application/json", {}, 400, id="list-consent"),
    pytest.param(with_changes(email="x@" + "a" * 64 + ".com"), "application/json", {}, 400, id="long-label"),
    pytest.param(with_changes(email="\u0000@example.com"), "application/json", {}, 400, id="nul-email"),
    pytest.param(with_changes(email="rohan@exämple.com"), "application/json", {}, 201, id="idn-email"),
    pytest.param(with_changes(phone="+" + "9" * 31), "application/json", {}, 400, id="phone-digits"),
    pytest.param(with_changes(phone="+91 98200 12345 ext. 99999999"), "application/json", {}, 201, id="phone-ext"),
    pytest.param(with_changes(role=["Builder"]), "application/json", {}, 400, id="role-list"),
    pytest.param(with_changes(source=None), "application/json", {}, 400, id="source-null"),
    pytest.param(with_changes(message="🏗️" * 20_000), "application/json", {}, 413, id="emoji-message"),
    pytest.param(with_changes(name=1e400), "application/json", {}, 400, id="infinite-name"),
    pytest.param(VALID, "text/plain", {}, 415, id="text-plain"),
    pytest.param(VALID, "application/xml", {}, 415, id="xml"),
    pytest.param("name=Rohan&email=r%40example.com", "application/x-www-form-urlencoded", {}, 415, id="form-encoded"),
    pytest.param(VALID, "application/json", {"HTTP_IDEMPOTENCY_KEY": "k" * 256}, 400, id="long-key"),
    pytest.param(VALID, "application/json", {"HTTP_IDEMPOTENCY_KEY": "   "}, 400, id="blank-key"),
    pytest.param(VALID, "application/json", {"HTTP_IDEMPOTENCY_KEY": "nul\x00key"}, 400, id="nul-key"),
    pytest.param(VALID, "application/json", {"CONTENT_LENGTH": "abc"}, 400, id="bad-length"),
    pytest.param(VALID, "application/json", {"CONTENT_LENGTH": "-5"}, 400, id="negative-length"),
    pytest.param(VALID, "application/json", {"HTTP_AUTHORIZATION": "Token"}, 401, id="empty-token"),
    pytest.param(VALID, "application/json", {"HTTP_AUTHORIZATION": "Token a b"}, 401, id="token-spaces"),
    pytest.param(VALID, "application/json", {"HTTP_X_FORWARDED_FOR": "x" * 500}, 201, id="long-forwarded-for"),
]


@pytest.mark.parametrize(("body", "content_type", "headers", "expected"), NASTY)
def test_it_never_answers_500(body: Any, content_type: str, headers: dict[str, str], expected: int) -> None:
    client = Client(raise_request_exception=False)  # a crash shows as a 500, not a traceback
    before = table_counts()

    response = client.post(API_URL, body, content_type=content_type, **headers)

    assert response.status_code == expected, response.content[:500]
    assert response["Content-Type"] == "application/json"
    if expected >= 400:
        assert response.json()["error"]["message"]
        assert table_counts() == before
