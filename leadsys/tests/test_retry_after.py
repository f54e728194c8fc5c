"""Every 429 says when to come back (Retry-After, in seconds until the rate-limit window ends)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from leads.intake.tests.support import (  # noqa: F401 - catalogue_fixture is a fixture
    API_URL,
    FORM_URL,
    Catalogue,
    api_payload,
    catalogue_fixture,
    form_payload,
)
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_it_sends_retry_after_with_the_apis_429(client: Client, settings: Any) -> None:
    settings.INTAKE_RATE_LIMIT = 1
    settings.INTAKE_RATE_WINDOW_SECONDS = 600
    payload = api_payload(product_interests=[])
    first = client.post(API_URL, json.dumps(payload), content_type="application/json")
    refused = client.post(API_URL, json.dumps({**payload, "email": "b@example.com"}), content_type="application/json")

    assert first.status_code == 201
    assert "Retry-After" not in first
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert Lead.objects.count() == 1


def test_it_sends_retry_after_with_the_forms_429_page(client: Client, catalogue: Catalogue, settings: Any) -> None:
    settings.INTAKE_RATE_LIMIT = 1
    settings.INTAKE_RATE_WINDOW_SECONDS = 60
    products = [(catalogue.tiles, "", "")]
    first = client.post(FORM_URL, form_payload(products=products, email="a@example.com"))
    refused = client.post(FORM_URL, form_payload(products=products, email="b@example.com"))

    assert first.status_code == 302
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many enquiries" in refused.content.decode()
