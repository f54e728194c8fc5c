"""POST /api/v1/submissions/ over HTTP: created, merged, refused, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from activity.models import LeadActivity
from leads.intake.tests.support import API_URL, api_payload, jobs_for, table_counts
from leads.models import Lead, LeadProduct

pytestmark = pytest.mark.django_db


def post_json(client: Client, body: Any, **headers: Any) -> Any:
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(API_URL, raw, content_type="application/json", **headers)


@pytest.fixture
def token() -> str:
    user = User.objects.create_user("integration", password="not-used-here-0192")
    return Token.objects.create(user=user).key


def test_it_creates_a_lead_and_answers_201(client: Client) -> None:
    response = post_json(client, api_payload())

    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get()
    assert body == {"lead_id": str(lead.id), "merged": False}
    assert (lead.name, lead.email, lead.phone, lead.role, lead.source) == (
        "Rohan Mehta",
        "rohan.mehta@example.com",
        "+919820012345",
        "Builder",
        "website_form",
    )
    assert sorted(LeadProduct.objects.values_list("product", "quantity")) == [
        ("Cove Lighting", None),
        ("SPC Flooring", "12000 sq ft"),
    ]
    assert LeadActivity.objects.get(lead=lead, type="consent").metadata["marketing_opt_in"] is False
    assert [name for name, _queue, _status in jobs_for(lead.id)] == [
        "activity.triage_lead",
        "leads.send_acknowledgement",
    ]


def test_it_answers_200_merged_for_the_same_email_the_same_day(client: Client) -> None:
    first = post_json(client, api_payload()).json()

    second = post_json(client, api_payload(email="ROHAN.Mehta@example.com", message="Also need lights."))

    assert second.status_code == 200
    assert second.json() == {"lead_id": first["lead_id"], "merged": True}
    assert Lead.objects.count() == 1


def test_it_forces_website_form_as_source_for_anonymous_callers(client: Client) -> None:
    response = post_json(client, api_payload(source="referral"))

    assert response.status_code == 201
    assert Lead.objects.get().source == "website_form"


def test_it_lets_a_token_caller_set_the_source(client: Client, token: str) -> None:
    response = post_json(client, api_payload(source="campaign"), HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 201
    assert Lead.objects.get().source == "campaign"


def test_it_refuses_a_bad_token_instead_of_treating_it_as_anonymous(client: Client) -> None:
    response = post_json(client, api_payload(), HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert Lead.objects.count() == 0


FIELD_ERRORS = [
    pytest.param({"name": ["Rohan"]}, "name", id="name-list"),
    pytest.param({"name": {"first": "Rohan"}}, "name", id="name-object"),
    pytest.param({"name": True}, "name", id="name-bool"),
    pytest.param({"name": "R"}, "name", id="name-short"),
    pytest.param({"name": "R" * 256}, "name", id="name-long"),
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"email": "rohan@"}, "email", id="email-bad"),
    pytest.param({"email": 12}, "email", id="email-number"),
    pytest.param({"email": "a" * 250 + "@example.com"}, "email", id="email-long"),
    pytest.param({"phone": "not a phone"}, "phone", id="phone-unparseable"),
    pytest.param({"phone": "+1 555 0100"}, "phone", id="phone-invalid"),
    pytest.param({"company": "C" * 256}, "company", id="company-long"),
    pytest.param({"location": "L" * 256}, "location", id="location-long"),
    pytest.param({"message": "nul\x00byte"}, "message", id="message-nul"),
    pytest.param({"role": "Astronaut"}, "role", id="role-unknown"),
    pytest.param({"source": "carrier_pigeon"}, "source", id="source-unknown"),
    pytest.param({"product_interests": "flooring"}, "product_interests", id="interests-string"),
    pytest.param({"product_interests": {"category": "Wall"}}, "product_interests", id="interests-object"),
    pytest.param({"product_interests": ["Wall"]}, "product_interests", id="interest-string"),
    pytest.param({"product_interests": [{"category": "Wall"}]}, "product_interests", id="interest-no-product"),
    pytest.param({"product_interests": [{"product": "Panels"}]}, "product_interests", id="interest-no-category"),
    pytest.param(
        {"product_interests": [{"category": "W" * 101, "product": "P"}]}, "product_interests", id="interest-long-cat"
    ),
    pytest.param(
        {"product_interests": [{"category": "Wall", "product": "P", "notes": "n" * 2001}]},
        "product_interests",
        id="interest-long-notes",
    ),
    pytest.param(
        {"product_interests": [{"category": "Wall", "product": "P"}] * 21}, "product_interests", id="interests-too-many"
    ),
    pytest.param({"consent": {"privacy_accepted": False}}, "consent", id="consent-refused"),
    pytest.param({"consent": "yes"}, "consent", id="consent-string"),
]


@pytest.mark.parametrize(("changes", "field"), FIELD_ERRORS)
def test_it_answers_400_naming_the_bad_field_and_writes_nothing(
    client: Client, changes: dict[str, Any], field: str
) -> None:
    before = table_counts()

    response = post_json(client, api_payload(**changes))

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert table_counts() == before


@pytest.mark.parametrize("missing", ["name", "email"])
def test_it_answers_400_for_a_missing_required_field(client: Client, missing: str) -> None:
    body = api_payload()
    del body[missing]

    response = post_json(client, body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"][missing] == ["This field is required."]
    assert Lead.objects.count() == 0


def test_it_answers_400_for_malformed_json(client: Client) -> None:
    response = post_json(client, '{"name": "Rohan", "email": ')

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["error"]["message"]
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null", "true", '[{"name": "Rohan"}]'])
def test_it_answers_400_for_json_that_is_not_an_object(client: Client, body: str) -> None:
    response = post_json(client, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert Lead.objects.count() == 0


def test_it_answers_413_for_a_body_over_the_limit(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = api_payload(message="x" * 2_500)

    response = post_json(client, body)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert Lead.objects.count() == 0
    # Just under the limit is accepted.
    assert post_json(client, api_payload(message="x" * 1_000)).status_code == 201


def test_it_answers_429_to_an_anonymous_caller_over_the_limit(client: Client, settings: Any) -> None:
    settings.INTAKE_RATE_LIMIT = 3
    statuses = [post_json(client, api_payload(email=f"r{n}@example.com")).status_code for n in range(4)]

    assert statuses == [201, 201, 201, 429]
    assert post_json(client, api_payload(email="late@example.com")).json()["error"]["code"] == "rate_limited"
    assert Lead.objects.count() == 3


def test_it_does_not_rate_limit_a_token_caller(client: Client, settings: Any, token: str) -> None:
    settings.INTAKE_RATE_LIMIT = 1
    statuses = [
        post_json(client, api_payload(email=f"t{n}@example.com"), HTTP_AUTHORIZATION=f"Token {token}").status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 201]


def test_it_sends_cors_headers_to_an_allowed_origin_only(client: Client, settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["https://www.northwind.example"]

    allowed = client.options(
        API_URL,
        HTTP_ORIGIN="https://www.northwind.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    refused = client.options(API_URL, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    posted = post_json(client, api_payload(), HTTP_ORIGIN="https://www.northwind.example")

    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == "https://www.northwind.example"
    assert "POST" in allowed["Access-Control-Allow-Methods"]
    assert "content-type" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in refused
    assert posted["Access-Control-Allow-Origin"] == "https://www.northwind.example"


def test_it_keeps_cors_off_the_rest_of_the_site(client: Client, settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["https://www.northwind.example"]

    response = client.get("/form/", HTTP_ORIGIN="https://www.northwind.example")

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_it_only_accepts_post(client: Client, method: str) -> None:
    assert getattr(client, method)(API_URL).status_code == 405
