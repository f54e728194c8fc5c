"""What stops the SLA clock (SLA_FIRST_RESPONSE) and the AI's follow-up a logged contact carries out."""

from __future__ import annotations

from typing import Any

import pytest

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments import followups, services
from assignments.models import Assignment
from assignments.tests.staff import make_rep
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def routed(rep: Any, *, suggested_action: str = "call_today") -> tuple[Any, LeadActivity]:
    lead = LeadFactory()
    ai = AIResultFactory(
        lead=lead,
        metadata={**AIResultFactory.build().metadata, "suggested_action": suggested_action, "priority": "high"},
    )
    assert services.lead_route(lead_id=lead.id, ai_result=ai).assignment.owner_id == str(rep.id)
    follow_up = followups.follow_up_from_ai(lead_id=lead.id, ai_result=ai)
    assert follow_up is not None and follow_up.status == "pending"
    return lead, follow_up


def call(lead: Any, rep: Any, outcome: str) -> LeadActivity:
    return services.contact_log(lead_id=lead.id, actor=rep, channel="call", summary="Rang", outcome=outcome)


def test_it_keeps_the_clock_running_after_an_unanswered_call_by_default(settings: Any) -> None:
    assert settings.SLA_FIRST_RESPONSE == "contact"
    rep = make_rep()
    lead, follow_up = routed(rep)

    call(lead, rep, "no_answer")

    assignment = Assignment.objects.get(lead=lead)
    assert assignment.status == "active" and assignment.sla_met is None
    follow_up.refresh_from_db()
    assert follow_up.status == "pending"  # nobody was reached: the call is still to do

    connected = call(lead, rep, "connected")

    assignment.refresh_from_db()
    assert assignment.status == "completed" and assignment.completed_at == connected.created_at
    follow_up.refresh_from_db()
    assert follow_up.status == "completed"
    assert follow_up.metadata["decided_by"] == str(rep.id)
    assert str(connected.id) in follow_up.metadata["outcome"]


def test_it_counts_any_attempt_when_configured(settings: Any) -> None:
    settings.SLA_FIRST_RESPONSE = "attempt"
    rep = make_rep()
    lead, _ = routed(rep)

    call(lead, rep, "voicemail")

    assert Assignment.objects.get(lead=lead).status == "completed"


def test_an_email_is_a_contact_and_does_the_catalogue_follow_up() -> None:
    rep = make_rep()
    lead, follow_up = routed(rep, suggested_action="send_catalog")

    services.contact_log(lead_id=lead.id, actor=rep, channel="email", summary="Catalogue", subject="Catalogue")

    assert Assignment.objects.get(lead=lead).status == "completed"
    follow_up.refresh_from_db()
    assert follow_up.status == "completed"


def test_an_email_leaves_a_call_follow_up_pending_and_another_reps_call_leaves_it_too() -> None:
    rep = make_rep()
    lead, follow_up = routed(rep, suggested_action="call_today")
    other = make_rep()

    services.contact_log(lead_id=lead.id, actor=rep, channel="email", summary="Hello", subject="Hello")
    call(lead, other, "connected")

    follow_up.refresh_from_db()
    assert follow_up.status == "pending"
