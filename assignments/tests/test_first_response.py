"""The first response stops the SLA clock; the lead's contact times follow the events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from activity.models import LeadActivity
from activity.services import activity_append
from activity.tests.factories import AIResultFactory
from assignments import services
from assignments.models import Assignment
from assignments.tests.staff import UserFactory, make_manager, make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.exceptions import Conflict, DomainError, NotAllowed

pytestmark = pytest.mark.django_db


def assigned_lead(rep: Any) -> tuple[Lead, Assignment]:
    lead = LeadFactory()
    ai_result = AIResultFactory(lead=lead)
    assignment = services.lead_route(lead_id=lead.id, ai_result=ai_result).assignment
    assert assignment.owner_id == str(rep.id)
    return lead, assignment


def test_the_owners_call_completes_the_assignment_within_sla() -> None:
    rep = make_rep()
    lead, assignment = assigned_lead(rep)

    call = services.contact_log(
        lead_id=lead.id, actor=rep, channel="call", summary="Discussed sizes", duration_seconds=90
    )

    assignment.refresh_from_db()
    assert assignment.status == "completed"
    assert assignment.completed_at == call.created_at
    assert assignment.sla_met is True
    expected = round((call.created_at - assignment.assigned_at).total_seconds() / 60)
    assert assignment.response_time_minutes == expected
    lead.refresh_from_db()
    assert lead.first_response_at == lead.last_contact_at == call.created_at


def test_a_late_response_is_recorded_as_missed() -> None:
    rep = make_rep()
    lead, assignment = assigned_lead(rep)
    # Data setup: the lead was assigned two hours ago with a 30-minute clock.
    started = timezone.now() - timedelta(hours=2)
    Assignment.objects.filter(id=assignment.id).update(
        assigned_at=started, sla_deadline=started + timedelta(minutes=30)
    )

    services.contact_log(lead_id=lead.id, actor=rep, channel="email", summary="Sent prices", subject="Prices")

    assignment.refresh_from_db()
    assert assignment.sla_met is False
    assert assignment.response_time_minutes >= 120


def test_moving_the_status_to_contacted_is_a_first_response() -> None:
    rep = make_rep()
    lead, assignment = assigned_lead(rep)
    event = services.lead_status_change(lead_id=lead.id, actor=rep, to_status="contacted")
    assignment.refresh_from_db()
    lead.refresh_from_db()
    assert (assignment.status, assignment.completed_at, assignment.sla_met) == ("completed", event.created_at, True)
    assert lead.status == "contacted"
    assert lead.first_response_at == event.created_at
    assert event.metadata == {"from_status": "new", "to_status": "contacted"}


def test_other_status_changes_do_not_stop_the_clock() -> None:
    rep = make_rep()
    lead, assignment = assigned_lead(rep)
    services.lead_status_change(lead_id=lead.id, actor=rep, to_status="nurturing")
    assignment.refresh_from_db()
    lead.refresh_from_db()
    assert assignment.status == "active" and lead.first_response_at is None


def test_someone_elses_call_counts_as_contact_but_not_as_the_owners_response() -> None:
    rep = make_rep()
    manager = make_manager()
    lead, assignment = assigned_lead(rep)
    call = services.contact_log(lead_id=lead.id, actor=manager, channel="call", summary="Manager called")
    assignment.refresh_from_db()
    lead.refresh_from_db()
    assert assignment.status == "active" and assignment.completed_at is None
    assert lead.first_response_at == call.created_at


def test_contact_times_follow_every_contact_event_and_only_those() -> None:
    rep = make_rep()
    lead, _ = assigned_lead(rep)
    # A system email (the acknowledgement) is not a contact by a person.
    activity_append(lead_id=lead.id, type="email", message="Ack", metadata={"template": "acknowledgement"})
    lead.refresh_from_db()
    assert lead.first_response_at is None

    first = services.contact_log(lead_id=lead.id, actor=rep, channel="call", summary="No answer", outcome="no_answer")
    second = services.contact_log(lead_id=lead.id, actor=rep, channel="call", summary="Spoke")
    lead.refresh_from_db()
    assert (lead.first_response_at, lead.last_contact_at) == (first.created_at, second.created_at)

    # However an event gets in, even by raw SQL, the columns follow it.
    earlier = first.created_at - timedelta(hours=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO lead_activity (lead_id, type, message, created_at) VALUES (%s, 'call', 'logged late', %s)",
            [lead.id, earlier],
        )
    lead.refresh_from_db()
    contact_times = LeadActivity.objects.filter(lead=lead, type="call").values_list("created_at", flat=True)
    assert (lead.first_response_at, lead.last_contact_at) == (min(contact_times), max(contact_times))


def test_bad_contact_input_is_refused_and_nothing_is_written() -> None:
    rep = make_rep()
    outsider = UserFactory()
    lead, assignment = assigned_lead(rep)
    before = LeadActivity.objects.filter(lead=lead).count()
    with pytest.raises(DomainError, match="call or email"):
        services.contact_log(lead_id=lead.id, actor=rep, channel="fax", summary="x")
    with pytest.raises(DomainError, match="outcome"):
        services.contact_log(lead_id=lead.id, actor=rep, channel="call", summary="x", outcome="maybe")
    with pytest.raises(NotAllowed):
        services.contact_log(lead_id=lead.id, actor=outsider, channel="call", summary="x")
    with pytest.raises(DomainError, match="Unknown status"):
        services.lead_status_change(lead_id=lead.id, actor=rep, to_status="won")
    with pytest.raises(Conflict):
        services.lead_status_change(lead_id=lead.id, actor=rep, to_status="new")
    assert LeadActivity.objects.filter(lead=lead).count() == before
    assignment.refresh_from_db()
    lead.refresh_from_db()
    assert assignment.status == "active" and lead.first_response_at is None and lead.status == "new"
