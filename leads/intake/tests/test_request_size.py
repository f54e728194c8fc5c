"""The request size limit, MAX_REQUEST_BYTES: a body over it is a 413 that says so, from the form and the API.

It is refused whole and writes nothing, whichever part of Django meets it first
(leadsys.request_size).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
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

pytestmark = pytest.mark.django_db


def post_api(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API_URL, json.dumps(body), content_type="application/json")


def post_form(client: Client, catalogue: Catalogue, **fields: Any) -> Any:
    return client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], **fields))


def test_the_default_limit_is_256_kib() -> None:
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024


def test_it_refuses_an_api_body_over_the_limit_with_a_413_and_stores_nothing(client: Client) -> None:
    before = table_counts()

    response = post_api(client, api_body(message="x" * 300_000))

    assert response.status_code == 413
    assert response.json() == {"error": {"code": "too_large", "message": "The request body is over 262144 bytes."}}
    assert table_counts() == before


def test_it_refuses_a_form_body_over_the_limit_with_a_413_page_and_stores_nothing(
    client: Client, catalogue: Catalogue
) -> None:
    before = table_counts()

    response = post_form(client, catalogue, message="x" * 300_000)

    assert response.status_code == 413
    page = response.content.decode()
    assert "Too large to send" in page
    assert "over 256.0\xa0KB, the most we take in one go, so nothing was saved" in page
    assert "Back button" in page
    assert table_counts() == before


def test_it_answers_the_413_page_when_the_csrf_check_reads_the_body_first(catalogue: Catalogue) -> None:
    # In production the CSRF middleware reads a form's fields before the view: Django raises
    # RequestDataTooBig there, which would be a bare 400 without handler400.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(FORM_URL)
    token = client.cookies["csrftoken"].value
    before = table_counts()

    response = post_form(client, catalogue, message="x" * 300_000, csrfmiddlewaretoken=token)

    assert response.status_code == 413
    assert "Too large to send" in response.content.decode()
    assert table_counts() == before
    # A body within the limit still goes through the same door.
    assert post_form(client, catalogue, csrfmiddlewaretoken=token).status_code == 302


def test_it_answers_413_for_an_urlencoded_form_body_over_the_limit(catalogue: Catalogue) -> None:
    client = Client(raise_request_exception=False)
    before = table_counts()

    response = client.post(FORM_URL, "message=" + "x" * 300_000, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "Too large to send" in response.content.decode()
    assert table_counts() == before
