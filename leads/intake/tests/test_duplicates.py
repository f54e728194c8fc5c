"""One lead per email per business day: a second submission joins the first, even under load."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from activity.models import LeadActivity
from leads.intake.services import ProductInterest, Submission, lead_submit
from leads.intake.tests.support import API_URL, api_payload
from leads.models import Lead, LeadProduct
from leads.tests.factories import LeadFactory

PARALLEL = 20


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API_URL, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_it_merges_a_second_submission_with_the_email_in_another_case(client: Client) -> None:
    first = post(client, api_payload()).json()

    second = post(
        client,
        api_payload(
            email="Rohan.MEHTA@Example.com",
            message="Also: acoustic panels for the clubhouse.",
            product_interests=[{"category": "Wall", "product": "Acoustic Wall Panels", "quantity": "800 sq ft"}],
        ),
    )

    assert second.status_code == 200
    assert second.json() == {"lead_id": first["lead_id"], "merged": True}
    lead = Lead.objects.get()
    assert lead.message == "Quote for 40 flats."  # what they first wrote stays as written
    assert sorted(LeadProduct.objects.filter(lead=lead).values_list("product", flat=True)) == [
        "Acoustic Wall Panels",
        "Cove Lighting",
        "SPC Flooring",
    ]
    note = LeadActivity.objects.get(lead=lead, type="note")
    assert note.metadata["kind"] == "resubmission"
    assert note.metadata["message"] == "Also: acoustic panels for the clubhouse."
    assert note.metadata["product_interests"] == [
        {"category": "Wall", "product": "Acoustic Wall Panels", "quantity": "800 sq ft", "notes": None}
    ]
    assert "Acoustic Wall Panels (800 sq ft)" in note.message


@pytest.mark.django_db
def test_it_starts_a_new_lead_on_a_new_business_day(client: Client) -> None:
    yesterday = LeadFactory(email="rohan.mehta@example.com", created_at=timezone.now() - timedelta(days=1))

    response = post(client, api_payload())

    assert response.status_code == 201
    assert response.json()["lead_id"] != str(yesterday.id)
    assert Lead.objects.filter(email__iexact="rohan.mehta@example.com").count() == 2
    assert not LeadActivity.objects.filter(type="note").exists()


@pytest.mark.django_db
def test_it_keeps_different_emails_apart(client: Client) -> None:
    a = post(client, api_payload(email="a@example.com"))
    b = post(client, api_payload(email="b@example.com"))

    assert (a.status_code, b.status_code) == (201, 201)
    assert Lead.objects.count() == 2


def merge_outcome(email: str) -> tuple[int, int, int]:
    """(leads, resubmission notes, product rows) stored for an email, counted as the owner."""
    leads = Lead.objects.filter(email__iexact=email)
    notes = LeadActivity.objects.filter(lead__in=leads, type="note", metadata__kind="resubmission")
    return leads.count(), notes.count(), LeadProduct.objects.filter(lead__in=leads).count()


@pytest.fixture
def forget_jobs() -> Any:
    """Transactional tests flush tables but not procrastinate's: drop the jobs they queued."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE args ? 'lead_id'")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_makes_one_lead_of_simultaneous_http_submissions(live_server: Any, settings: Any, forget_jobs: None) -> None:
    settings.INTAKE_RATE_LIMIT = 0  # off: all twenty come from 127.0.0.1
    start = threading.Barrier(PARALLEL)

    def submit(n: int) -> tuple[int, dict[str, Any]]:
        body = api_payload(
            email="Rush.Hour@example.com" if n % 2 else "rush.hour@EXAMPLE.com",
            message=f"Submission {n}",
            product_interests=[{"category": "Flooring", "product": f"Sample {n}"}],
        )
        request = urllib.request.Request(
            live_server.url + API_URL, json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        start.wait()  # every connection is open and ready before any sends
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(submit, range(PARALLEL)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (PARALLEL - 1) + [201], results
    assert len({body["lead_id"] for _, body in results}) == 1
    assert merge_outcome("rush.hour@example.com") == (1, PARALLEL - 1, PARALLEL)
    messages = set(
        LeadActivity.objects.filter(type="note", metadata__kind="resubmission").values_list(
            "metadata__message", flat=True
        )
    )
    (lead,) = Lead.objects.all()
    assert messages | {lead.message} == {f"Submission {n}" for n in range(PARALLEL)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_makes_one_lead_of_simultaneous_service_calls(forget_jobs: None) -> None:
    start = threading.Barrier(PARALLEL)

    def submit(n: int) -> bool:
        submission = Submission(
            name=f"Parallel {n}",
            email="same.day@example.com",
            product_interests=(ProductInterest(category="Wall", product=f"Panel {n}"),),
        )
        try:
            start.wait()
            return lead_submit(submission=submission).merged
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(PARALLEL) as pool:
        merged = list(pool.map(submit, range(PARALLEL)))

    assert sorted(merged) == [False] + [True] * (PARALLEL - 1)
    assert merge_outcome("same.day@example.com") == (1, PARALLEL - 1, PARALLEL)
