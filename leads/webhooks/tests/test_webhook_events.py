"""Each business action emits its webhook event, in its own transaction; the job delivers it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook

from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.followups import follow_up_remind
from assignments.pipeline import lead_triage
from assignments.services import sla_breach_record
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_rep
from leads.api.tests.support import manager_client, rep_client
from leads.intake.tests.support import API_URL, api_payload
from leads.tests.factories import LeadFactory, LeadProductFactory
from leads.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from leads.webhooks.signing import new_secret
from leads.webhooks.tests.receiver import WebhookReceiver
from leadsys.queue import run_pending_jobs

SECRET = new_secret()


def subscribe_all(url: str = "http://127.0.0.1:9/hook") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, secret=SECRET, events=list(WebhookEvent.values))


def emitted(event: str) -> list[dict[str, object]]:
    return [d.payload for d in WebhookDelivery.objects.filter(event=event).order_by("created_at")]


@pytest.mark.django_db
def test_it_emits_created_then_merged_from_intake(client: Client) -> None:
    subscribe_all()

    first = client.post(API_URL, json.dumps(api_payload()), content_type="application/json")
    again = client.post(API_URL, json.dumps(api_payload()), content_type="application/json")

    lead_id = first.json()["lead_id"]
    assert (first.status_code, again.status_code) == (201, 200)
    assert emitted("lead.created") == [{"lead_id": lead_id}]
    assert emitted("lead.merged") == [{"lead_id": lead_id}]


@pytest.mark.django_db
def test_it_emits_triaged_and_assigned_after_triage() -> None:
    subscribe_all()
    rep = make_rep()
    lead = LeadFactory(message="Please send a quote for 2000 sq ft of oak flooring")
    LeadProductFactory(lead=lead, category="Flooring")

    event = lead_triage(lead_id=lead.id)

    [triaged] = emitted("lead.triaged")
    assert (triaged["lead_id"], triaged["activity_id"]) == (str(lead.id), str(event.id))
    assert (triaged["priority"], triaged["intent"]) == (event.metadata["priority"], event.metadata["intent"])
    [assigned] = emitted("lead.assigned")
    assert (assigned["lead_id"], assigned["owner_id"]) == (str(lead.id), str(rep.id))


@pytest.mark.django_db
def test_it_emits_status_changed_approval_decided_and_assigned_from_the_api() -> None:
    subscribe_all()
    lead = LeadFactory(status="new")
    approval = ApprovalFactory(lead=lead)
    assignment = AssignmentFactory(lead=lead)
    new_owner = make_rep()
    manager = manager_client()

    manager.patch(f"/leads/{lead.id}/", {"status": "nurturing"})
    manager.post(f"/approvals/{approval.id}/reject/", {"comment": "Too small"})
    manager.post(f"/assignments/{assignment.id}/reassign/", {"to_user_id": new_owner.id})

    [changed] = emitted("lead.status_changed")
    assert (changed["lead_id"], changed["from_status"], changed["to_status"]) == (str(lead.id), "new", "nurturing")
    [decided] = emitted("approval.decided")
    assert (decided["activity_id"], decided["status"], decided["comment"]) == (
        str(approval.id),
        "rejected",
        "Too small",
    )
    [assigned] = emitted("lead.assigned")
    assert (assigned["owner_id"], assigned["previous_owner_id"]) == (str(new_owner.id), assignment.owner_id)


@pytest.mark.django_db
def test_it_emits_nothing_for_a_refused_action() -> None:
    subscribe_all()
    lead = LeadFactory(status="new")

    response = rep_client().patch(f"/leads/{lead.id}/", {"status": "new"})

    assert response.status_code == 409
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_it_emits_sla_breached_and_follow_up_due() -> None:
    subscribe_all()
    now = timezone.now()
    overdue = AssignmentFactory(assigned_at=now - timedelta(hours=5), sla_deadline=now - timedelta(hours=1))
    due = FollowUpFactory(scheduled_for=now - timedelta(minutes=10))

    sla_breach_record(assignment_id=overdue.id, now=now)
    follow_up_remind(activity_id=due.id, now=now)

    [breach] = emitted("sla.breached")
    assert (breach["lead_id"], breach["assignment_id"]) == (str(overdue.lead_id), str(overdue.id))
    [reminder] = emitted("follow_up.due")
    assert (reminder["activity_id"], reminder["lead_id"]) == (str(due.id), str(due.lead_id))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_delivers_through_the_job_queue_and_schedules_a_retry_on_failure(client: Client) -> None:
    with WebhookReceiver(200, 500) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=["lead.created"])
        first = client.post(API_URL, json.dumps(api_payload()), content_type="application/json")
        run_pending_jobs(queues=["webhooks"])
        client.post(API_URL, json.dumps(api_payload(email="second@example.com")), content_type="application/json")
        run_pending_jobs(queues=["webhooks"])

    assert len(receiver.received) == 2
    got = receiver.received[0]
    assert Webhook(SECRET).verify(got.body, got.headers)["data"] == {"lead_id": first.json()["lead_id"]}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts, scheduled_at > now() FROM procrastinate_jobs"
            " WHERE task_name = 'leads.webhooks.tasks.deliver_webhook' ORDER BY id"
        )
        jobs = cursor.fetchall()
    # The first ran once (never scheduled); the failed one waits for its retry, later.
    assert jobs == [("succeeded", 1, None), ("todo", 1, True)]
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed", "succeeded"]
