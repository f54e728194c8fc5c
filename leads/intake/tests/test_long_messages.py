"""A message of any length the request size limit lets through is stored whole (the limit itself: test_request_size).

MESSAGE_MAX_LENGTH is only the backstop behind a raised limit: a field error, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from leads.intake.tests.support import (  # noqa: F401 - catalogue_fixture is a fixture
    API_URL,
    FORM_URL,
    Catalogue,
    catalogue_fixture,
    form_payload,
    table_counts,
)
from leads.intake.tests.support import api_payload as api_body
from leads.models import MESSAGE_MAX_LENGTH, Lead

pytestmark = pytest.mark.django_db

TENDER = "Tender 7/2026: supply and fix 12,000 sq ft of SPC flooring across 40 flats. " * 660  # 50,160 characters
FIFTY_THOUSAND = TENDER[:50_000]


def post_api(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API_URL, json.dumps(body), content_type="application/json")


def post_form(client: Client, catalogue: Catalogue, **fields: Any) -> Any:
    return client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], **fields))


def test_it_stores_a_50_000_character_message_from_the_api_whole(client: Client) -> None:
    response = post_api(client, api_body(message=FIFTY_THOUSAND))

    assert response.status_code == 201, response.content[:300]
    stored = Lead.objects.get().message
    assert len(stored) == 50_000
    assert stored == FIFTY_THOUSAND.strip()  # trimmed, like every text field, and nothing else


def test_it_stores_a_50_000_character_message_from_the_form_whole_and_says_so(
    client: Client, catalogue: Catalogue
) -> None:
    response = post_form(client, catalogue, message=FIFTY_THOUSAND)

    assert response.status_code == 302
    assert len(Lead.objects.get().message) == 50_000
    thanks = client.get(response["Location"]).content.decode()
    assert "Your message (50,000 characters) reached us whole." in thanks
    assert "reached us whole" not in client.get(response["Location"]).content.decode()  # a refresh: not again


def test_it_stores_the_line_breaks_a_browser_sends_as_typed(client: Client, catalogue: Catalogue) -> None:
    # A browser sends each line break of a textarea as CR LF; the page counted one character for it.
    response = post_form(client, catalogue, message="Two lines:\r\noak and walnut.")

    assert response.status_code == 302
    assert Lead.objects.get().message == "Two lines:\noak and walnut."
    assert "Your message (26 characters)" in client.get(response["Location"]).content.decode()


def test_it_keeps_a_message_over_the_backstop_a_field_error_when_the_limit_is_raised(
    client: Client, catalogue: Catalogue, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
    before = table_counts()

    api = post_api(client, api_body(message="m" * (MESSAGE_MAX_LENGTH + 1)))
    form = post_form(client, catalogue, message="m" * (MESSAGE_MAX_LENGTH + 1))

    assert api.status_code == 400
    assert api.json()["error"]["fields"]["message"] == [
        f"Ensure this field has no more than {MESSAGE_MAX_LENGTH} characters."
    ]
    assert form.status_code == 400
    assert f"Ensure this value has at most {MESSAGE_MAX_LENGTH} characters" in form.content.decode()
    assert table_counts() == before
    assert post_api(client, api_body(message="m" * MESSAGE_MAX_LENGTH)).status_code == 201
    assert len(Lead.objects.get().message) == MESSAGE_MAX_LENGTH
