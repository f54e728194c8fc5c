"""Fault test, real processes: a real worker (`manage.py procrastinate worker`) delivers to a real receiver
that answers 302, then 500s until the endpoint pauses, then 200 after Resume. Every event arrives once, in
the order it happened, and none is marked delivered before the receiver had it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from standardwebhooks import Webhook

from assignments.tests.staff import make_rep
from leads.intake.tests.support import API_URL, api_payload
from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.services import webhook_endpoint_resume
from leads.webhooks.tests.receiver import WebhookReceiver

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ["lead.created", "lead.triaged", "lead.assigned"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}",
        "WEBHOOK_PAUSE_AFTER_FAILURES": "3",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        log.close()


def wait_for(what: str, done: Callable[[], bool], worker: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert worker.poll() is None, "the worker died"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def last_job_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM procrastinate_jobs")
        return cursor.fetchone()[0]


def jobs_left(*, after: int) -> int:
    """This test's jobs still to run (earlier tests may leave jobs of their own, retries due later)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE id > %s AND status IN ('todo', 'doing')", [after])
        return cursor.fetchone()[0]


def submit(client: Client, n: int) -> str:
    payload = api_payload(email=f"fault.{n}@example.com", message="Please quote 2000 sq ft of oak flooring")
    response = client.post(API_URL, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201
    return response.json()["lead_id"]


def test_it_delivers_every_event_once_in_order_through_a_redirect_failures_a_pause_and_resume(
    client: Client, worker: subprocess.Popen[bytes]
) -> None:
    make_rep()
    before = last_job_id()
    with WebhookReceiver() as elsewhere, WebhookReceiver(302, 500, location=elsewhere.url) as receiver:
        hook = WebhookEndpoint.objects.create(url=receiver.url, events=EVENTS)
        leads = [submit(client, n) for n in range(2)]

        # 302, 500, 500: three failures in a row pause the endpoint (2 s and 4 s of backoff between).
        def paused_and_idle() -> bool:
            return WebhookEndpoint.objects.get(id=hook.id).paused_at is not None and jobs_left(after=before) == 0

        wait_for("the endpoint to pause", paused_and_idle, worker)
        # Events keep happening while it is paused: a third lead, triaged and assigned by the worker.
        leads.append(submit(client, 2))
        wait_for("9 deliveries", lambda: WebhookDelivery.objects.count() == 9 and jobs_left(after=before) == 0, worker)

        assert [(got.status, got.json()["sequence"]) for got in receiver.received] == [(302, 1), (500, 1), (500, 1)]
        assert elsewhere.received == []  # the redirect was not followed
        assert not WebhookDelivery.objects.filter(status="succeeded").exists()
        first = WebhookDelivery.objects.get(endpoint=hook, sequence=1)
        assert first.last_error == "HTTP 500: receiver is down" and first.attempts == 3

        receiver.answer(200)
        webhook_endpoint_resume(endpoint_id=hook.id)
        wait_for("every delivery", lambda: WebhookDelivery.objects.filter(status="succeeded").count() == 9, worker)
        wait_for("the worker to go idle", lambda: jobs_left(after=before) == 0, worker)

    deliveries = {str(d.id): d for d in WebhookDelivery.objects.all()}
    delivered = receiver.delivered()
    # Once each, in sequence order, each one verified as a Standard Webhook.
    assert len(delivered) == 9 and {got.headers["webhook-id"] for got in delivered} == set(deliveries)
    assert [got.json()["sequence"] for got in delivered] == list(range(1, 10))
    bodies = [Webhook(hook.secret).verify(got.body, got.headers) for got in delivered]
    for lead_id in leads:
        assert [b["event"] for b in bodies if b["data"]["lead_id"] == lead_id] == EVENTS
    # None was marked delivered before the receiver had it; only the first needed more than one attempt.
    for got in delivered:
        delivery = deliveries[got.headers["webhook-id"]]
        assert delivery.delivered_at is not None and delivery.delivered_at.timestamp() >= got.at
    assert sorted(d.attempts for d in deliveries.values()) == [1] * 8 + [4]
    assert len(receiver.received) == 12  # 3 failures + 9 deliveries, nothing else
    hook.refresh_from_db()
    assert (hook.paused_at, hook.consecutive_failures, hook.last_sequence) == (None, 0, 9)
