"""Webhook delivery against a real local HTTP receiver, verified with the standardwebhooks library:
signature, retry, pause, and nothing for a rollback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time

import pytest
from django.db import connection, transaction
from pytest_django.fixtures import Settings
from standardwebhooks import Webhook, WebhookVerificationError

from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.services import DeliveryFailed, webhook_deliver, webhook_emit, webhook_endpoint_resume
from leads.webhooks.signing import new_secret, secret_key
from leads.webhooks.tests.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

SECRET = new_secret()


def endpoint(url: str, events: list[str] | None = None, **kwargs: object) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, secret=SECRET, events=events or ["lead.created"], **kwargs)


def webhook_jobs() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT args->>'delivery_id', lock FROM procrastinate_jobs"
            " WHERE task_name = 'leads.webhooks.tasks.deliver_webhook' ORDER BY id"
        )
        return cursor.fetchall()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


def test_it_delivers_a_standard_webhook_the_library_verifies() -> None:
    with WebhookReceiver(200) as receiver:
        hook = endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"lead_id": "abc"})
        webhook_deliver(delivery_id=delivery.id)

    [got] = receiver.received
    assert Webhook(SECRET).verify(got.body, got.headers) == {
        "id": str(delivery.id),
        "event": "lead.created",
        "sequence": 1,
        "created_at": delivery.created_at.isoformat(),
        "data": {"lead_id": "abc"},
    }
    msg_id, timestamp = got.headers["webhook-id"], got.headers["webhook-timestamp"]
    # The spec spelled out, as a receiver without the library (or openssl, docs/api.md) computes it.
    mac = hmac.new(secret_key(SECRET), f"{msg_id}.{timestamp}.".encode() + got.body, hashlib.sha256).digest()
    assert got.headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()
    assert (msg_id, got.headers["content-type"]) == (str(delivery.id), "application/json")
    assert abs(int(timestamp) - time.time()) < 60
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.endpoint_id == hook.id


def test_it_generates_secrets_the_spec_way() -> None:
    first, second = new_secret(), WebhookEndpoint.objects.create(url="http://127.0.0.1:9/x").secret

    assert first != second
    for secret in (first, second):
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"body": b'{"tampered":1}'}, id="body"),
        pytest.param({"secret": new_secret()}, id="secret"),
        pytest.param({"webhook-timestamp": str(int(time.time()) - 3600)}, id="stale"),
        pytest.param({"webhook-id": "another-delivery"}, id="id"),
    ],
)
def test_it_lets_a_receiver_refuse_a_tampered_or_stale_delivery(change: dict[str, object]) -> None:
    with WebhookReceiver(200) as receiver:
        endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"lead_id": "abc"})
        webhook_deliver(delivery_id=delivery.id)
    [got] = receiver.received
    good = {"secret": SECRET, "body": got.body, **got.headers}
    Webhook(SECRET).verify(got.body, got.headers)  # untouched, it verifies

    bad = {**good, **change}
    headers = {k: v for k, v in bad.items() if k.startswith("webhook-")}
    with pytest.raises(WebhookVerificationError):
        Webhook(bad["secret"]).verify(bad["body"], headers)  # type: ignore[arg-type]


def test_it_logs_deliveries_for_active_subscribed_endpoints_and_queues_the_unpaused() -> None:
    wanted = endpoint("http://127.0.0.1:9/a", ["lead.created", "lead.assigned"])
    endpoint("http://127.0.0.1:9/b", ["lead.assigned"])
    endpoint("http://127.0.0.1:9/c", is_active=False)
    paused = endpoint("http://127.0.0.1:9/d", paused_at="2026-01-01T00:00:00Z")

    deliveries = webhook_emit("lead.created", {"lead_id": "x"})

    # The paused endpoint's delivery is kept, waiting for Resume, without a job.
    assert [(d.endpoint_id, d.sequence, d.status) for d in deliveries] == [
        (wanted.id, 1, "pending"),
        (paused.id, 1, "pending"),
    ]
    assert webhook_jobs() == [(str(deliveries[0].id), f"webhook-endpoint-{wanted.id}")]


def test_it_refuses_an_unknown_event_name() -> None:
    with pytest.raises(ValueError, match="lead.deleted"):
        webhook_emit("lead.deleted", {})


def test_it_writes_and_queues_nothing_for_a_rolled_back_change() -> None:
    endpoint("http://127.0.0.1:9/a")

    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit("lead.created", {"lead_id": "x"})
        raise RuntimeError("the change failed")

    assert not WebhookDelivery.objects.exists()
    assert webhook_jobs() == []


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
    # Every attempt is the same delivery: same webhook-id and body, signed afresh.
    assert receiver.received[0].body == receiver.received[1].body
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]
    for got in receiver.received:
        Webhook(SECRET).verify(got.body, got.headers)


def test_it_counts_an_unreachable_receiver_as_a_failure() -> None:
    hook = endpoint(closed_port_url())
    [delivery] = webhook_emit("lead.created", {"lead_id": "x"})

    with pytest.raises(DeliveryFailed):
        webhook_deliver(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status) == ("failed", None)
    assert "ConnectionRefused" in delivery.last_error or "URLError" in delivery.last_error
    assert WebhookEndpoint.objects.get(id=hook.id).consecutive_failures == 1


def test_it_pauses_an_endpoint_after_n_failures_in_a_row_and_resume_sends_what_waited(settings: Settings) -> None:
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    with WebhookReceiver(503) as receiver:
        hook = endpoint(receiver.url)
        deliveries = [webhook_emit("lead.created", {"n": n})[0] for n in range(3)]
        for _ in range(2):
            with pytest.raises(DeliveryFailed):
                webhook_deliver(delivery_id=deliveries[0].id)
        # The third failure pauses it: the job stops retrying, the line waits.
        assert webhook_deliver(delivery_id=deliveries[0].id).status == "failed"  # type: ignore[union-attr]
        hook.refresh_from_db()
        assert hook.paused_at is not None and hook.consecutive_failures == 3

        # Later deliveries neither jump the queue nor are sent while paused; new events still get logged.
        assert webhook_deliver(delivery_id=deliveries[2].id).status == "pending"  # type: ignore[union-attr]
        [waiting] = webhook_emit("lead.created", {"n": 3})
        assert len(receiver.received) == 3
        assert [d for d, _lock in webhook_jobs()] == [str(d.id) for d in deliveries]  # none for `waiting`

        receiver.answer(200)
        webhook_endpoint_resume(endpoint_id=hook.id)
        hook.refresh_from_db()
        assert (hook.paused_at, hook.consecutive_failures) == (None, 0)
        # Resume queued one job, for the newest waiting delivery; it sends them all, oldest first.
        assert webhook_jobs()[-1] == (str(waiting.id), f"webhook-endpoint-{hook.id}")
        webhook_deliver(delivery_id=waiting.id)

    assert [got.json()["data"]["n"] for got in receiver.delivered()] == [0, 1, 2, 3]
    assert [got.json()["sequence"] for got in receiver.delivered()] == [1, 2, 3, 4]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_it_pauses_the_endpoint_when_a_job_runs_out_of_retries(settings: Settings) -> None:
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 100
    with WebhookReceiver(500) as receiver:
        hook = endpoint(receiver.url)
        [delivery] = webhook_emit("lead.created", {"n": 0})
        # The last attempt fails too: no exception (nothing to retry), the endpoint pauses, it waits.
        assert webhook_deliver(delivery_id=delivery.id, last_attempt=True).status == "failed"  # type: ignore[union-attr]

    hook.refresh_from_db()
    assert (hook.paused_at is not None, hook.consecutive_failures, len(receiver.received)) == (True, 1, 1)


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
