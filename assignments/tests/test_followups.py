"""Follow-ups and approvals: scheduled from the AI, decided by people, recorded without rewriting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import FollowUpFactory, ai_result_for
from assignments import approvals, followups, pipeline, services
from assignments.tests.staff import UserFactory, make_manager, make_rep
from leads.tests.factories import LeadFactory, LeadProductFactory
from leadsys.exceptions import Conflict, DomainError, NotAllowed

# Every minute is a business minute (the root conftest's always_open), so deadlines are plain additions.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("always_open")]
NOW = timezone.now().replace(microsecond=0)


def pending(lead: Any, type: str) -> list[LeadActivity]:
    return list(LeadActivity.objects.filter(lead=lead, type=type, status="pending"))


@pytest.mark.parametrize(
    ("suggested", "action", "delay"),
    [
        ("call_within_30_min", "call", timedelta(minutes=30)),
        ("send_catalog", "send_catalog", timedelta(hours=2)),
        ("schedule_site_visit", "site_visit", timedelta(days=1)),
        ("nurture_email", "email", timedelta(days=3)),
    ],
)
def test_the_suggested_action_schedules_a_follow_up(suggested: str, action: str, delay: timedelta) -> None:
    lead = LeadFactory()
    item = followups.follow_up_from_ai(
        lead_id=lead.id, ai_result=ai_result_for(lead, suggested_action=suggested), now=NOW
    )
    assert item.status == "pending" and item.actor_type == "ai"
    assert item.metadata["action"] == action
    assert datetime.fromisoformat(item.metadata["scheduled_for"]) == NOW + delay
    assert item.metadata["reason"]


def test_spam_schedules_nothing_and_a_pending_suggestion_is_not_doubled() -> None:
    lead = LeadFactory()
    assert (
        followups.follow_up_from_ai(lead_id=lead.id, ai_result=ai_result_for(lead, suggested_action="discard_spam"))
        is None
    )
    followups.follow_up_from_ai(lead_id=lead.id, ai_result=ai_result_for(lead))
    followups.follow_up_from_ai(lead_id=lead.id, ai_result=ai_result_for(lead, suggested_action="send_samples"))
    assert len(pending(lead, "follow_up")) == 1


@pytest.mark.parametrize(
    ("priority", "lead_type", "quantity", "high_value"),
    [
        ("high", "architect", "20 sq ft", True),
        ("high", "dealer", None, True),
        ("high", "home_owner", "2,000 sq ft", True),
        ("high", "home_owner", "1.5k tiles", True),
        ("high", "home_owner", "500 sq ft", False),
        ("medium", "builder", "5000 sq ft", False),
    ],
)
def test_high_value_leads_get_a_pending_manager_approval(
    priority: str, lead_type: str, quantity: str | None, high_value: bool
) -> None:
    make_rep()
    lead = LeadFactory()
    LeadProductFactory(lead=lead, quantity=quantity)
    pipeline.lead_after_triage(lead_id=lead.id, ai_result=ai_result_for(lead, priority=priority, lead_type=lead_type))
    approvals = pending(lead, "approval")
    assert len(approvals) == (1 if high_value else 0)
    if high_value:
        assert approvals[0].metadata["approval_type"] == "high_value_lead"
        assert approvals[0].metadata["requires_manager"] is True
        assert approvals[0].metadata["ai_recommendation"].startswith("call_today")


def test_reps_add_follow_ups_and_bad_input_writes_nothing() -> None:
    rep = make_rep()
    lead = LeadFactory()
    when = NOW + timedelta(days=2)
    item = followups.follow_up_add(lead_id=lead.id, actor=rep, action="meeting", scheduled_for=when, reason="Showroom")
    assert (item.status, item.actor_id) == ("pending", str(rep.id))
    assert datetime.fromisoformat(item.metadata["scheduled_for"]) == when

    with pytest.raises(DomainError, match="time zone"):
        followups.follow_up_add(lead_id=lead.id, actor=rep, action="call", scheduled_for=datetime(2026, 5, 1, 10))
    with pytest.raises(DomainError, match="action"):
        followups.follow_up_add(lead_id=lead.id, actor=rep, action="telegram", scheduled_for=when)
    with pytest.raises(NotAllowed):
        followups.follow_up_add(lead_id=lead.id, actor=UserFactory(), action="call", scheduled_for=when)
    assert LeadActivity.objects.filter(lead=lead).count() == 1


@pytest.mark.parametrize("close", ["complete", "cancel"])
def test_closing_a_follow_up_records_who_when_and_keeps_the_original(close: str) -> None:
    rep = make_rep()
    item = FollowUpFactory()
    original = dict(item.metadata)
    before = timezone.now()
    if close == "complete":
        closed = followups.follow_up_complete(activity_id=item.id, actor=rep, outcome="Booked a visit")
    else:
        closed = followups.follow_up_cancel(activity_id=item.id, actor=rep, reason="Customer postponed")

    assert closed.status == ("completed" if close == "complete" else "cancelled")
    assert {k: closed.metadata[k] for k in original} == original
    assert closed.metadata["decided_by"] == str(rep.id)
    assert datetime.fromisoformat(closed.metadata["decided_at"]) >= before
    assert closed.metadata["outcome"] in ("Booked a visit", "Customer postponed")
    with pytest.raises(Conflict, match="already"):
        followups.follow_up_complete(activity_id=item.id, actor=rep)


def test_only_a_manager_decides_an_approval_with_a_comment() -> None:
    rep, manager = make_rep(), make_manager(first_name="Meera", last_name="Iyer")
    lead = LeadFactory()
    pipeline.lead_after_triage(lead_id=lead.id, ai_result=ai_result_for(lead, priority="high", lead_type="builder"))
    [approval] = pending(lead, "approval")

    with pytest.raises(NotAllowed):
        approvals.approval_decide(activity_id=approval.id, actor=rep, approve=True, comment="ok")
    with pytest.raises(DomainError, match="comment"):
        approvals.approval_decide(activity_id=approval.id, actor=manager, approve=True, comment="  ")
    assert pending(lead, "approval") == [approval]

    decided = approvals.approval_decide(activity_id=approval.id, actor=manager, approve=False, comment="Too small")
    assert decided.status == "rejected"
    assert decided.metadata["decided_by"] == str(manager.id)
    assert decided.metadata["decided_by_name"] == "Meera Iyer"
    assert decided.metadata["comment"] == "Too small"
    assert decided.metadata["decided_at"]
    with pytest.raises(Conflict):
        approvals.approval_decide(activity_id=approval.id, actor=manager, approve=True, comment="Changed my mind")


def test_a_due_follow_up_reminds_its_owner_once(mailoutbox: list) -> None:
    rep = make_rep()
    lead = LeadFactory(name="Due Person")
    services.lead_route(lead_id=lead.id, ai_result=ai_result_for(lead))
    due = FollowUpFactory(lead=lead, scheduled_for=NOW - timedelta(minutes=5))
    FollowUpFactory(lead=lead, scheduled_for=NOW + timedelta(hours=1))  # not yet due

    assert followups.follow_up_reminders_send() == [due.id]
    assert followups.follow_up_reminders_send() == []

    assert [m.to for m in mailoutbox] == [[rep.email]]
    assert "Due Person" in mailoutbox[0].subject
    due.refresh_from_db()
    assert due.status == "pending" and due.metadata["reminder_sent_at"]
    assert LeadActivity.objects.filter(lead=lead, type="email", metadata__template="follow_up_due").count() == 1


def test_a_due_follow_up_on_an_unowned_lead_goes_to_the_managers(mailoutbox: list) -> None:
    manager = make_manager()
    FollowUpFactory(scheduled_for=NOW - timedelta(hours=1))
    followups.follow_up_reminders_send()
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "Nobody owns this lead" in mailoutbox[0].body
