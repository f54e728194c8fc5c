"""SLA escalation: a breach is recorded once, the manager hears of it, and the lead may move on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments import selectors, services
from assignments.models import Assignment
from assignments.tests.staff import make_manager, make_rep
from leads.selectors import dashboard_stats
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(EmailBackend):
    """A provider that is down."""

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("provider unreachable")


def overdue(lead: Any = None, *, minutes_late: int = 10) -> Assignment:
    lead = lead or LeadFactory()
    assignment = services.lead_route(lead_id=lead.id, ai_result=AIResultFactory(lead=lead)).assignment
    # Data setup: the clock ran out `minutes_late` minutes ago.
    deadline = timezone.now() - timedelta(minutes=minutes_late)
    Assignment.objects.filter(id=assignment.id).update(
        assigned_at=deadline - timedelta(minutes=30), sla_deadline=deadline
    )
    assignment.refresh_from_db()
    return assignment


def breaches(lead_id: Any = None) -> list[LeadActivity]:
    query = LeadActivity.objects.filter(type="sla_breach")
    return list(query.filter(lead_id=lead_id) if lead_id else query)


def test_it_records_a_breach_once_and_emails_the_reps_manager(mailoutbox: list) -> None:
    boss = make_manager()
    make_manager()  # another team's manager hears nothing
    rep = make_rep(manager=boss)
    assignment = overdue()

    first = services.sla_breach_scan()
    second = services.sla_breach_scan()

    assert len(first) == 1 and second == []
    [event] = breaches(assignment.lead_id)
    assert event.metadata["assignment_id"] == str(assignment.id)
    assert event.metadata["owner_id"] == str(rep.id)
    assert event.metadata["notified"] == [boss.email]
    assert [m.to for m in mailoutbox] == [[boss.email]]
    assert assignment.lead.name in mailoutbox[0].subject
    assert "It is still with" in mailoutbox[0].body
    assignment.refresh_from_db()
    assert assignment.status == "active"  # reassignment is off by default


def test_it_leaves_open_and_answered_assignments_alone(mailoutbox: list) -> None:
    make_manager()
    rep = make_rep()
    on_time = services.lead_route(lead_id=LeadFactory().id).assignment
    answered = overdue()
    services.contact_log(lead_id=answered.lead_id, actor=rep, channel="call", summary="Late call")

    assert services.sla_breach_scan() == []
    assert breaches() == [] and mailoutbox == []
    assert on_time.sla_deadline > timezone.now()


def test_a_rep_without_a_manager_escalates_to_every_manager(mailoutbox: list) -> None:
    managers = [make_manager(), make_manager()]
    make_rep()
    overdue()
    services.sla_breach_scan()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.email for m in managers)


def test_it_reassigns_when_configured(settings: Any, mailoutbox: list) -> None:
    settings.SLA_ESCALATION_REASSIGN = True
    boss = make_manager()
    slow, _ = make_rep(manager=boss), make_rep(manager=boss)
    breached = overdue()
    assert breached.owner_id == str(slow.id)

    services.sla_breach_scan()

    breached.refresh_from_db()
    new = selectors.active_assignment(lead_id=breached.lead_id)
    assert breached.status == "reassigned"
    assert new.owner_id != str(slow.id)
    [event] = breaches(breached.lead_id)
    assert event.metadata["reassigned_to"] == new.owner_id
    moved = LeadActivity.objects.filter(lead_id=breached.lead_id, type="assignment").order_by("-created_at").first()
    assert moved.metadata["assigned_by"] == "sla_escalation"
    assert moved.metadata["previous_owner_id"] == str(slow.id)
    assert "reassigned to" in mailoutbox[0].body
    assert services.sla_breach_scan() == []  # the new clock has not run out


def test_with_nobody_else_to_take_it_the_owner_keeps_the_lead(settings: Any) -> None:
    settings.SLA_ESCALATION_REASSIGN = True
    make_manager()
    make_rep()
    breached = overdue()
    services.sla_breach_scan()
    breached.refresh_from_db()
    assert breached.status == "active"
    assert Assignment.objects.filter(lead_id=breached.lead_id).count() == 1
    assert "reassigned_to" not in breaches(breached.lead_id)[0].metadata


def test_a_failed_email_records_nothing_and_the_next_scan_retries(settings: Any, mailoutbox: list) -> None:
    make_manager()
    make_rep()
    assignment = overdue()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        services.sla_breach_scan()
    assert breaches() == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(services.sla_breach_scan()) == 1
    assert breaches(assignment.lead_id)[0].metadata["assignment_id"] == str(assignment.id)


def test_the_breach_count_is_the_number_of_breached_assignments(settings: Any) -> None:
    settings.SLA_ESCALATION_REASSIGN = True
    make_manager()
    make_rep(), make_rep()
    for _ in range(3):
        overdue()
    services.sla_breach_scan()
    recorded = {e.metadata["assignment_id"] for e in breaches()}
    assert selectors.sla_breach_count() == len(recorded) == 3


def test_the_dashboard_counts_exactly_the_recorded_breaches(settings: Any) -> None:
    settings.SLA_ESCALATION_REASSIGN = True
    make_manager()
    make_rep(), make_rep()
    overdue()
    services.sla_breach_scan()
    stats = dashboard_stats()
    assert stats["sla_breaches_30d"] == selectors.sla_breach_count() == 1
    # Escalated to another rep: the new assignment is not overdue, so nothing is overdue now.
    assert stats["sla_violations"] == 0


def test_the_dashboard_counts_overdue_assignments_live_with_the_worker_stopped() -> None:
    make_manager()
    make_rep()
    overdue()
    stats = dashboard_stats()
    assert stats["sla_violations"] == 1  # no scan ran: nothing recorded, yet one lead is overdue
    assert stats["sla_breaches_30d"] == 0
