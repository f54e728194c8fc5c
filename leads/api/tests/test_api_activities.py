"""GET/POST /api/v1/leads/{id}/activities/: the event log, and calls, emails and notes logged through it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import ActivityFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.api.tests.support import error_code, outsider_client, rep_client
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_events_newest_first_up_to_the_limit() -> None:
    lead = LeadFactory()
    events = [ActivityFactory(lead=lead, created_at=timezone.now() - timedelta(minutes=n)) for n in range(4)]
    ActivityFactory()  # another lead's

    response = rep_client().get(f"/leads/{lead.id}/activities/", {"limit": 3})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(e.id) for e in events[:3]]


def test_it_logs_a_call_and_the_owners_call_completes_the_assignment() -> None:
    client = rep_client()
    lead = LeadFactory()
    assignment = AssignmentFactory(lead=lead, owner_id=str(client.user.id))

    response = client.post(
        f"/leads/{lead.id}/activities/",
        {"type": "call", "message": "Discussed oak flooring", "outcome": "connected", "duration_seconds": 300},
    )

    assert response.status_code == 201
    event = LeadActivity.objects.get(id=response.json()["id"])
    assert (event.type, event.actor_id, event.metadata["duration_seconds"]) == ("call", str(client.user.id), 300)
    assert Assignment.objects.get(id=assignment.id).status == "completed"


def test_it_logs_an_email_with_its_subject_and_a_note() -> None:
    client = rep_client()
    lead = LeadFactory()

    email = client.post(f"/leads/{lead.id}/activities/", {"type": "email", "message": "Sent", "subject": "Quote"})
    note = client.post(f"/leads/{lead.id}/activities/", {"type": "note", "message": "Prefers mornings"})

    assert (email.status_code, note.status_code) == (201, 201)
    assert email.json()["metadata"]["subject"] == "Quote"
    assert email.json()["metadata"]["to"] == lead.email
    assert (note.json()["type"], note.json()["message"]) == ("note", "Prefers mornings")


@pytest.mark.parametrize(
    "body",
    [
        {"type": "ai_result", "message": "I am the AI now"},
        {"type": "call", "message": "x", "subject": "calls have no subject"},
        {"type": "note", "message": "x", "outcome": "connected"},
        {"type": "call", "message": "x", "outcome": "exploded"},
        {"type": "call", "message": "x", "duration_seconds": -1},
        {"type": "note", "message": ""},
        {"type": "note"},
        [],
    ],
)
def test_it_refuses_a_bad_activity_and_writes_nothing(body: object) -> None:
    lead = LeadFactory()

    response = rep_client().post(f"/leads/{lead.id}/activities/", body)

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_answers_404_for_an_unknown_lead() -> None:
    response = rep_client().post(
        "/leads/00000000-0000-0000-0000-000000000001/activities/", {"type": "note", "message": "x"}
    )

    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_it_refuses_an_outsider() -> None:
    lead = LeadFactory()

    assert outsider_client().get(f"/leads/{lead.id}/activities/").status_code == 403
    assert outsider_client().post(f"/leads/{lead.id}/activities/", {"type": "note", "message": "x"}).status_code == 403
    assert not LeadActivity.objects.filter(lead=lead).exists()
