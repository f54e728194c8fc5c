"""Routing: who gets a lead, why, and the SLA clock it starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from activity.models import LeadActivity
from activity.tests.factories import ai_result_for
from assignments import selectors, services
from assignments.models import Assignment, RepProfile
from assignments.tests.staff import make_manager, make_rep
from leads.tests.factories import LeadFactory, LeadProductFactory
from leadsys.exceptions import Conflict, NotAllowed

# Every minute is a business minute (the root conftest's always_open), so deadlines are plain additions.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("always_open")]


def route(lead: Any, **overrides: str) -> services.RoutingOutcome:
    return services.lead_route(lead_id=lead.id, ai_result=ai_result_for(lead, **overrides))


def assignment_events(lead: Any) -> list[LeadActivity]:
    return list(LeadActivity.objects.filter(lead=lead, type="assignment").order_by("created_at"))


def test_it_takes_turns_fairly_over_time() -> None:
    reps = [make_rep() for _ in range(3)]
    leads = [LeadFactory() for _ in range(7)]
    owners = [route(lead).assignment.owner_id for lead in leads]
    assert owners == [str(reps[i % 3].id) for i in range(7)]
    assert selectors.open_assignment_counts(owner_ids=[str(r.id) for r in reps]) == {
        str(reps[0].id): 3,
        str(reps[1].id): 2,
        str(reps[2].id): 2,
    }


def test_it_sets_the_deadline_from_the_priority(settings: Any) -> None:
    make_rep()
    expected_minutes = {"high": 30, "medium": 240, "low": 1440}
    assert settings.SLA_MINUTES == expected_minutes
    for priority, minutes in expected_minutes.items():
        assignment = route(LeadFactory(), priority=priority).assignment
        assert assignment.sla_deadline - assignment.assigned_at == timedelta(minutes=minutes)
        event = assignment_events(assignment.lead)[0]
        assert event.metadata["priority"] == priority
        assert event.metadata["assignment_id"] == str(assignment.id)


def test_it_counts_the_deadline_in_business_hours(settings: Any) -> None:
    settings.BUSINESS_DAYS = [0, 1, 2, 3, 4]
    settings.BUSINESS_HOURS = "09:00-18:00"
    make_rep()
    assignment = route(LeadFactory(), priority="low").assignment
    # 24 business hours of 9 a day always end on a later business day, never on a weekend.
    local_deadline = timezone.localtime(assignment.sla_deadline)
    assert local_deadline.weekday() < 5
    assert 9 <= local_deadline.hour < 18 or (local_deadline.hour, local_deadline.minute) == (18, 0)
    assert assignment.sla_deadline - assignment.assigned_at >= timedelta(hours=24 + 15)


def test_it_records_why_each_other_rep_was_skipped() -> None:
    away = make_rep(availability="away")
    full = make_rep(max_open_leads=0)
    lighting = make_rep(categories=["Lighting"])
    pune = make_rep(locations=["Pune"])
    chosen = make_rep(categories=["flooring"], locations=["mumbai"])
    lead = LeadFactory(location="Andheri, Mumbai")
    LeadProductFactory(lead=lead, category="Flooring")

    assignment = route(lead).assignment

    assert assignment.owner_id == str(chosen.id)
    event = assignment_events(lead)[0]
    assert event.metadata["rule"] == "round_robin"
    reasons = {c["owner_id"]: c.get("skipped") for c in event.metadata["candidates"]}
    assert reasons == {
        str(away.id): ["away"],
        str(full.id): ["at_cap"],
        str(lighting.id): ["category"],
        str(pune.id): ["location"],
        str(chosen.id): None,
    }


def test_it_queues_for_managers_when_nobody_is_eligible() -> None:
    make_manager()
    make_rep(availability="away")
    lead = LeadFactory()

    outcome = route(lead)

    assert outcome.assignment is None and outcome.queued
    assert not Assignment.objects.filter(lead=lead).exists()
    note = LeadActivity.objects.get(lead=lead, type="note")
    assert note.metadata["kind"] == "manager_queue"
    assert note.metadata["candidates"][0]["skipped"] == ["away"]
    assert selectors.manager_queue_lead_ids() == [lead.id]
    job = ProcrastinateJob.objects.get(task_name="assignments.notify_manager_queue")
    assert job.args == {"lead_id": str(lead.id), "event_id": str(note.id)}


def test_it_emails_the_managers_about_a_queued_lead_once(mailoutbox: list) -> None:
    managers = [make_manager(), make_manager()]
    lead = LeadFactory(name="Queued Person")
    route(lead)
    note = LeadActivity.objects.get(lead=lead, type="note")

    first = services.manager_queue_notify(lead_id=lead.id, event_id=note.id)
    again = services.manager_queue_notify(lead_id=lead.id, event_id=note.id)

    assert sorted(first) == sorted(m.email for m in managers) and again == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.email for m in managers)
    assert "Queued Person" in mailoutbox[0].subject
    assert "no sales reps with a routing profile" in mailoutbox[0].body
    assert LeadActivity.objects.filter(lead=lead, type="email", metadata__template="manager_queue").count() == 2


def test_it_keeps_spam_unassigned_and_visible_to_managers() -> None:
    make_rep()
    lead = LeadFactory()
    outcome = route(lead, intent="spam", suggested_action="discard_spam")
    route(lead, intent="spam", suggested_action="discard_spam")

    assert outcome.spam and outcome.assignment is None
    assert not Assignment.objects.filter(lead=lead).exists()
    assert LeadActivity.objects.filter(lead=lead, type="note", metadata__kind="spam_held").count() == 1
    assert lead.id in selectors.manager_queue_lead_ids()


def test_it_does_not_route_a_lead_that_already_has_an_owner() -> None:
    make_rep()
    make_rep()
    lead = LeadFactory()
    first = route(lead).assignment
    second = route(lead, priority="high").assignment
    assert second.id == first.id
    assert Assignment.objects.filter(lead=lead).count() == 1
    assert len(assignment_events(lead)) == 1


def test_a_manager_reassigns_and_history_stays() -> None:
    manager = make_manager()
    first_rep, second_rep = make_rep(), make_rep()
    lead = LeadFactory()
    first = route(lead).assignment
    assert first.owner_id == str(first_rep.id)

    new = services.assignment_reassign(lead_id=lead.id, actor=manager, reason="Speaks Marathi")

    first.refresh_from_db()
    assert first.status == "reassigned" and first.completed_at is None and first.sla_met is None
    assert new.owner_id == str(second_rep.id) and new.status == "active"
    event = assignment_events(lead)[-1]
    assert event.metadata["previous_owner_id"] == str(first_rep.id)
    assert event.metadata["assigned_by"] == str(manager.id)
    assert event.actor_id == str(manager.id)
    assert event.metadata["reason"] == "Speaks Marathi"
    assert event.metadata["candidates"][0]["skipped"] == ["current_owner"]


def test_a_manager_can_choose_the_rep() -> None:
    manager = make_manager()
    make_rep()
    chosen = make_rep(availability="away")
    lead = LeadFactory()
    route(lead)
    new = services.assignment_reassign(lead_id=lead.id, actor=manager, to_user=chosen)
    assert new.owner_id == str(chosen.id)
    assert assignment_events(lead)[-1].metadata["rule"] == "manager_choice"
    with pytest.raises(Conflict):
        services.assignment_reassign(lead_id=lead.id, actor=manager, to_user=chosen)


def test_only_managers_reassign_and_a_refusal_writes_nothing() -> None:
    rep, other = make_rep(), make_rep()
    lead = LeadFactory()
    route(lead)
    before = (Assignment.objects.count(), LeadActivity.objects.count())
    with pytest.raises(NotAllowed):
        services.assignment_reassign(lead_id=lead.id, actor=rep, to_user=other)
    assert (Assignment.objects.count(), LeadActivity.objects.count()) == before


def test_round_robin_turn_moves_on_assignment() -> None:
    rep = make_rep()
    route(LeadFactory())
    profile = RepProfile.objects.get(user=rep)
    assignment = Assignment.objects.get(owner_id=str(rep.id))
    assert profile.last_assigned_at == assignment.assigned_at
