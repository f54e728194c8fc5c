"""Jobs deferred with the intake transaction, and the acknowledgement email they send."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection, transaction
from django.test import Client

from activity.models import LeadActivity
from leads.intake.services import Submission, lead_submit
from leads.intake.tests.support import API_URL, api_payload, jobs_for
from leads.models import MESSAGE_MAX_LENGTH, Lead
from leads.webhooks.models import WebhookEndpoint
from leads.webhooks.signing import new_secret
from leads.webhooks.tests.receiver import WebhookReceiver
from leadsys.queue import DEFAULT_RETRY, run_pending_jobs

ACK_TASK = "leads.send_acknowledgement"
TRIAGE_TASK = "activity.triage_lead"


class FlakyBackend(MemoryBackend):
    """A provider that is down for its first `failures_left` sends, then delivers to mail.outbox."""

    failures_left = 0
    attempts = 0

    def send_messages(self, messages: Any) -> int:
        FlakyBackend.attempts += 1
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("provider unreachable")
        return super().send_messages(messages)


@pytest.fixture
def flaky_email(settings: Any) -> Iterator[type[FlakyBackend]]:
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 0, 0
    yield FlakyBackend


@pytest.fixture
def forget_jobs() -> Iterator[None]:
    """procrastinate's tables are not flushed between transactional tests: drop what we queued."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE args ? 'lead_id' OR args ? 'delivery_id'")


def submit_over_http(**changes: Any) -> UUID:
    response = Client().post(API_URL, json.dumps(api_payload(**changes)), content_type="application/json")
    assert response.status_code == 201, response.content
    return UUID(response.json()["lead_id"])


def ack_job(lead_id: UUID) -> tuple[str, int]:
    """(status, attempts finished) of the lead's acknowledgement job."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts FROM procrastinate_jobs WHERE task_name = %s AND args->>'lead_id' = %s",
            [ACK_TASK, str(lead_id)],
        )
        return cursor.fetchone()


def make_retry_due(lead_id: UUID) -> None:
    # Data set-up: skip the backoff wait instead of sleeping through it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = %s AND args->>'lead_id' = %s",
            [ACK_TASK, str(lead_id)],
        )


def email_events(lead_id: UUID) -> list[LeadActivity]:
    return list(LeadActivity.objects.filter(lead_id=lead_id, type="email").order_by("created_at"))


@pytest.mark.django_db
def test_it_leaves_no_job_when_the_surrounding_transaction_rolls_back() -> None:
    submission = Submission(name="Rolled Back", email="rolled.back@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        lead_id = lead_submit(submission=submission).lead_id
        assert len(jobs_for(lead_id)) == 2  # queued inside the transaction...
        raise RuntimeError("the caller failed after intake")

    assert jobs_for(lead_id) == []  # ...and gone with it
    assert not Lead.objects.filter(id=lead_id).exists()


@pytest.mark.django_db
def test_it_leaves_no_lead_and_no_job_when_the_database_refuses_the_intake() -> None:
    # Past the form's checks, the column's own CHECK refuses an over-long message.
    submission = Submission(name="Too Long", email="too.long@example.com", message="m" * (MESSAGE_MAX_LENGTH + 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs")
        jobs_before = cursor.fetchone()[0]

    with pytest.raises(Exception, match="leads_message_length"):
        lead_submit(submission=submission)

    assert not Lead.objects.filter(email="too.long@example.com").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs")
        assert cursor.fetchone()[0] == jobs_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_commits_triage_and_acknowledgement_jobs_with_a_new_lead(forget_jobs: None) -> None:
    lead_id = submit_over_http()

    assert jobs_for(lead_id) == [(TRIAGE_TASK, "triage", "todo"), (ACK_TASK, "email", "todo")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_queues_triage_but_no_second_acknowledgement_for_a_merge(forget_jobs: None) -> None:
    lead_id = submit_over_http()
    submit = Client().post(API_URL, json.dumps(api_payload(message="Again")), content_type="application/json")

    assert submit.status_code == 200
    tasks = [name for name, _queue, _status in jobs_for(lead_id)]
    assert sorted(tasks) == [TRIAGE_TASK, TRIAGE_TASK, ACK_TASK]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_the_acknowledgement_naming_the_products(forget_jobs: None) -> None:
    lead_id = submit_over_http(name="Rohan Mehta")

    run_pending_jobs(queues=["email"])

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rohan.mehta@example.com"]
    assert "We received your enquiry" in message.subject
    assert "Hello Rohan," in message.body
    assert "SPC Flooring (Flooring), 12000 sq ft" in message.body
    assert "Cove Lighting (Lighting)" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "<li>SPC Flooring (Flooring), 12000 sq ft</li>" in html
    (event,) = email_events(lead_id)
    assert event.status == "completed"
    assert event.metadata["template"] == "acknowledgement"
    assert event.metadata["channel"] == "console"  # EMAIL_PROVIDER of this configuration
    assert event.metadata["retry_count"] == 0
    assert event.metadata["provider_message_id"] == message.extra_headers["Message-ID"]
    assert ack_job(lead_id) == ("succeeded", 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_escapes_markup_in_the_html_email_only(forget_jobs: None) -> None:
    submit_over_http(
        name="<b>Eve</b> Hacker", product_interests=[{"category": "Wall", "product": "<script>x</script>"}]
    )

    run_pending_jobs(queues=["email"])

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert "Hello <b>Eve</b>," in message.body  # plain text: shown as typed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_records_a_failed_send_retries_and_then_succeeds(flaky_email: type[FlakyBackend], forget_jobs: None) -> None:
    flaky_email.failures_left = 1
    lead_id = submit_over_http()

    run_pending_jobs(queues=["email"])

    assert mail.outbox == []
    (failed,) = email_events(lead_id)
    assert failed.status == "failed"
    assert failed.metadata["retry_count"] == 0
    assert failed.metadata["error"] == "ConnectionRefusedError: provider unreachable"
    assert ack_job(lead_id) == ("todo", 1)  # waiting out its backoff
    assert Lead.objects.filter(id=lead_id).exists()  # the lead is never touched

    run_pending_jobs(queues=["email"])
    assert flaky_email.attempts == 1  # not due yet: backoff respected

    make_retry_due(lead_id)
    run_pending_jobs(queues=["email"])

    assert len(mail.outbox) == 1
    assert [(e.status, e.metadata["retry_count"]) for e in email_events(lead_id)] == [("failed", 0), ("completed", 1)]
    assert ack_job(lead_id) == ("succeeded", 2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_leaves_a_job_failed_event_when_retries_run_out(flaky_email: type[FlakyBackend], forget_jobs: None) -> None:
    flaky_email.failures_left = 10_000  # the provider never comes back
    lead_id = submit_over_http()
    runs = DEFAULT_RETRY.max_attempts + 1  # the first try and every retry

    for _ in range(runs):
        run_pending_jobs(queues=["email"])
        make_retry_due(lead_id)

    assert flaky_email.attempts == runs
    assert ack_job(lead_id) == ("failed", runs)
    assert [e.metadata["retry_count"] for e in email_events(lead_id)] == list(range(runs))
    (gave_up,) = LeadActivity.objects.filter(lead_id=lead_id, type="job_failed")
    assert gave_up.metadata["job"] == "send_acknowledgement"
    assert gave_up.metadata["attempts"] == runs
    assert "ConnectionRefusedError" in gave_up.metadata["error"]
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_once_when_the_job_runs_twice(forget_jobs: None) -> None:
    lead_id = submit_over_http()
    run_pending_jobs(queues=["email"])
    # A second copy of the same job (a redelivery) must not email again.
    from leads.intake.tasks import send_acknowledgement

    with transaction.atomic():
        send_acknowledgement.defer(lead_id=str(lead_id))
    run_pending_jobs(queues=["email"])

    assert len(mail.outbox) == 1
    assert len(email_events(lead_id)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_every_job_of_a_tender_length_message_and_quotes_none_of_it(forget_jobs: None) -> None:
    tender = ("Supply and fix 12,000 sq ft of SPC flooring, 40 flats, by 30 June. " * 3000)[:200_000]
    with WebhookReceiver(200) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=new_secret(), events=["lead.created", "lead.triaged"])
        lead_id = submit_over_http(message=tender)

        run_pending_jobs()

    assert len(Lead.objects.get(id=lead_id).message) == 200_000
    (message,) = mail.outbox  # the acknowledgement never quotes the message
    assert "Supply and fix" not in message.body and len(message.body) < 2_000
    assert "Supply and fix" not in message.alternatives[0][0]
    triage = LeadActivity.objects.get(lead_id=lead_id, type="ai_result")
    assert triage.metadata["priority"] == "high"  # triaged: the rules read all of it, in about a second
    got = {hook.json()["event"]: hook for hook in receiver.received}
    assert got["lead.created"].json()["data"] == {"lead_id": str(lead_id)}
    assert len(got["lead.triaged"].body) < 5_000  # ids and the triage, not the message
