"""Webhook delivery against a real local HTTP receiver: signature, retry, pause, and nothing for a rollback."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest
from django.db import connection, transaction
from pytest_django.fixtures import Settings

from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.services import DeliveryFailed, webhook_deliver, webhook_emit, webhook_endpoint_resume
from leads.webhooks.signing import signature_valid
from leads.webhooks.tests.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

SECRET = "whsec-test-0c1d2e3f"


def endpoint(url: str, events: list[str] | None = None, **kwargs: object) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, secret=SECRET, events=events or ["lead.created"], **kwargs)


def webhook_jobs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'leads.webhooks.tasks.deliver_webhook'"
        )
        return cursor.fetchone()[0]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


def test_it_delivers_a_signed_json_body_a_receiver_can_verify() -> None:
    with WebhookReceiver(200) as receiver:
        hook = endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"lead_id": "abc"})
        webhook_deliver(delivery_id=delivery.id)

    [got] = receiver.received
    timestamp, header = got.headers["Webhook-Timestamp"], got.headers["Webhook-Signature"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert header == f"v1={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert signature_valid(secret=SECRET, timestamp=timestamp, body=got.body, header=header)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Webhook-Id"] == str(delivery.id)
    assert got.json() == {
        "id": str(delivery.id),
        "event": "lead.created",
        "created_at": delivery.created_at.isoformat(),
        "data": {"lead_id": "abc"},
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.endpoint_id == hook.id


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"body": b'{"tampered":1}'}, "body"),
        ({"secret": "another-secret"}, "secret"),
        ({"timestamp": str(int(time.time()) - 3600)}, "stale"),
        ({"header": "v1=00"}, "header"),
    ],
)
def test_it_lets_a_receiver_refuse_a_tampered_or_stale_delivery(change: dict[str, object], why: str) -> None:
    timestamp = str(int(time.time()))
    body = b'{"event":"lead.created"}'
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    good = {"secret": SECRET, "timestamp": timestamp, "body": body, "header": f"v1={mac}"}

    assert signature_valid(**good)  # type: ignore[arg-type]
    assert not signature_valid(**{**good, **change}), why  # type: ignore[arg-type]


def test_it_only_emits_to_active_unpaused_subscribed_endpoints() -> None:
    wanted = endpoint("http://127.0.0.1:9/a", ["lead.created", "lead.assigned"])
    endpoint("http://127.0.0.1:9/b", ["lead.assigned"])
    endpoint("http://127.0.0.1:9/c", is_active=False)
    endpoint("http://127.0.0.1:9/d", paused_at="2026-01-01T00:00:00Z")

    deliveries = webhook_emit("lead.created", {"lead_id": "x"})

    assert [d.endpoint_id for d in deliveries] == [wanted.id]
    assert webhook_jobs() == 1


def test_it_refuses_an_unknown_event_name() -> None:
    with pytest.raises(ValueError, match="lead.deleted"):
        webhook_emit("lead.deleted", {})


def test_it_writes_and_queues_nothing_for_a_rolled_back_change() -> None:
    endpoint("http://127.0.0.1:9/a")

    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit("lead.created", {"lead_id": "x"})
        raise RuntimeError("the change failed")

    assert not WebhookDelivery.objects.exists()
    assert webhook_jobs() == 0


def test_it_records_a_failure_for_retry_then_succeeds_and_resets_the_count() -> None:
    with WebhookReceiver(500, 200) as receiver:
        hook = endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"lead_id": "x"})

        with pytest.raises(DeliveryFailed):
            webhook_deliver(delivery_id=delivery.id)
        delivery.refresh_from_db()
        hook.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 500)
        assert "receiver is down" in delivery.last_error
        assert hook.consecutive_failures == 1

        webhook_deliver(delivery_id=delivery.id)
        webhook_deliver(delivery_id=delivery.id)  # the job ran twice: no second POST

    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert hook.consecutive_failures == 0
    assert len(receiver.received) == 2
    # Every attempt is the same delivery: same id and body, signed afresh.
    assert receiver.received[0].body == receiver.received[1].body
    assert receiver.received[0].headers["Webhook-Id"] == receiver.received[1].headers["Webhook-Id"]


def test_it_counts_an_unreachable_receiver_as_a_failure() -> None:
    hook = endpoint(closed_port_url())
    [delivery] = webhook_emit("lead.created", {"lead_id": "x"})

    with pytest.raises(DeliveryFailed):
        webhook_deliver(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status) == ("failed", None)
    assert "ConnectionRefused" in delivery.last_error or "URLError" in delivery.last_error
    assert WebhookEndpoint.objects.get(id=hook.id).consecutive_failures == 1


def test_it_pauses_an_endpoint_after_n_failures_in_a_row_until_resumed(settings: Settings) -> None:
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    with WebhookReceiver(503) as receiver:
        hook = endpoint(receiver.url)
        deliveries = [webhook_emit("lead.created", {"n": n})[0] for n in range(4)]
        for delivery in deliveries[:3]:
            with pytest.raises(DeliveryFailed):
                webhook_deliver(delivery_id=delivery.id)
        hook.refresh_from_db()
        assert hook.paused_at is not None and hook.consecutive_failures == 3

        skipped = webhook_deliver(delivery_id=deliveries[3].id)
        assert skipped.status == "skipped"
        assert len(receiver.received) == 3  # nothing sent while paused
        assert webhook_emit("lead.created", {"n": 5}) == []

    webhook_endpoint_resume(endpoint_id=hook.id)
    hook.refresh_from_db()
    assert (hook.paused_at, hook.consecutive_failures) == (None, 0)
    assert len(webhook_emit("lead.created", {"n": 6})) == 1


def test_it_stores_the_payload_as_json_the_receiver_reads_back() -> None:
    endpoint("http://127.0.0.1:9/a")

    [delivery] = webhook_emit("lead.created", {"lead_id": "x", "when": __import__("datetime").date(2030, 1, 2)})

    assert WebhookDelivery.objects.get(id=delivery.id).payload == {"lead_id": "x", "when": "2030-01-02"}
    assert json.loads(json.dumps(delivery.payload)) == delivery.payload


def test_it_does_nothing_for_a_delivery_whose_endpoint_was_deleted() -> None:
    with WebhookReceiver(200) as receiver:
        hook = endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"lead_id": "x"})
        hook.delete()

        assert webhook_deliver(delivery_id=delivery.id) is None

    assert receiver.received == []
