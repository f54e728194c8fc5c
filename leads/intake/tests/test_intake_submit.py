"""Intake's SQL (0010): intake_submit() runs as anon under RLS, intake_follow_on() only as the owner,
and the webhook check inside it follows webhook_emit()'s rule."""

from __future__ import annotations

import json
from datetime import timedelta

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from activity.models import LeadActivity
from leads.intake.tests.support import API_URL, api_payload, jobs_for
from leads.models import Lead, LeadProduct
from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leadsys.roles import database_role

pytestmark = pytest.mark.django_db


def post(client: Client, **changes: object) -> dict[str, object]:
    response = client.post(API_URL, json.dumps(api_payload(**changes)), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_it_refuses_anon_the_owners_follow_on_step() -> None:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), database_role("anon"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT intake_follow_on('[]'::jsonb, '{}'::jsonb)")

    assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)


def test_it_lets_anon_submit_but_still_read_nothing_back() -> None:
    document = {
        "lead": {"name": "Anon Test", "email": "anon.test@example.com", "source": "website_form"},
        "products": [],
        "resubmission": {"message": "again", "metadata": {"kind": "resubmission"}},
        "consent": None,
    }
    with transaction.atomic(), database_role("anon"), connection.cursor() as cursor:
        cursor.execute("SELECT lead_id, merged FROM intake_submit(%s::jsonb)", [json.dumps(document)])
        lead_id, merged = cursor.fetchone()
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("SELECT name FROM leads WHERE id = %s", [lead_id])

    assert merged is False
    assert Lead.objects.get(id=lead_id).email == "anon.test@example.com"


def test_it_keeps_products_in_the_order_they_were_sent(client: Client) -> None:
    names = [f"Product {n}" for n in range(6)]

    lead_id = post(client, product_interests=[{"category": "Wall", "product": name} for name in names])["lead_id"]

    stored = LeadProduct.objects.filter(lead_id=lead_id).order_by("created_at", "id")
    assert [product.product for product in stored] == names


def test_it_writes_the_resubmission_note_then_the_consent_on_a_merge(client: Client) -> None:
    first = post(client)
    again = post(client, message="Second visit", consent={"privacy_accepted": True, "marketing_opt_in": True})

    assert again == {"lead_id": first["lead_id"], "merged": True}
    events = LeadActivity.objects.filter(lead_id=first["lead_id"]).order_by("created_at")
    assert [(e.type, e.metadata.get("kind"), e.metadata.get("marketing_opt_in")) for e in events] == [
        ("consent", None, False),
        ("note", "resubmission", None),
        ("consent", None, True),
    ]
    assert [name for name, _queue, _status in jobs_for(first["lead_id"])] == [
        "activity.triage_lead",
        "activity.triage_lead",
        "leads.send_acknowledgement",
    ]


@pytest.mark.parametrize(
    ("endpoint", "delivered"),
    [
        pytest.param({"events": ["lead.created"]}, True, id="subscribed"),
        pytest.param({"events": ["lead.merged", "lead.created"]}, True, id="one-of-several"),
        pytest.param({"events": ["lead.triaged"]}, False, id="other-event"),
        pytest.param({"events": ["lead.created"], "is_active": False}, False, id="inactive"),
        # A paused endpoint's delivery is logged and waits for Resume, with no job yet.
        pytest.param({"events": ["lead.created"], "paused": True}, True, id="paused"),
    ],
)
def test_it_emits_lead_created_exactly_when_webhook_emit_would(
    client: Client, endpoint: dict[str, object], delivered: bool
) -> None:
    paused_at = timezone.now() - timedelta(minutes=5) if endpoint.pop("paused", False) else None
    hook = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook", paused_at=paused_at, **endpoint)

    lead_id = post(client)["lead_id"]

    deliveries = list(WebhookDelivery.objects.values_list("id", "event", "payload", "sequence"))
    assert [(event, payload, sequence) for _id, event, payload, sequence in deliveries] == (
        [("lead.created", {"lead_id": lead_id}, 1)] if delivered else []
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args->>'delivery_id', queue_name, lock FROM procrastinate_jobs WHERE task_name = %s",
            ["leads.webhooks.tasks.deliver_webhook"],
        )
        delivery_jobs = cursor.fetchall()
    queued = [] if paused_at else deliveries
    assert delivery_jobs == [(str(d[0]), "webhooks", f"webhook-endpoint-{hook.id}") for d in queued]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_intake_string_is_one_transaction_outside_an_atomic_block() -> None:
    from leads.intake.services import INTAKE_ROLES

    document = {
        "lead": {"name": "Half Written", "email": "half.written@example.com", "source": "website_form"},
        "products": [{"category": "Wall", "product": "Panel"}],
        "resubmission": {"message": "again", "metadata": {"kind": "resubmission"}},
        "consent": None,
    }
    bad_jobs = [{"queue_name": "triage", "task_name": "activity.triage_lead", "priority": "high", "args": {}}]
    assert not connection.in_atomic_block

    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute(INTAKE_ROLES["anon"], [json.dumps(document), json.dumps(bad_jobs), "{}"])

    assert not Lead.objects.filter(email="half.written@example.com").exists()
    assert not LeadProduct.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user")
        assert cursor.fetchone() == (True,)  # the SET LOCAL ROLE ended with the failed transaction
