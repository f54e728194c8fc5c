"""The whole pipeline on a real database, with the worker executing the real jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from activity.models import LeadActivity
from assignments import services
from assignments.models import Assignment
from assignments.schedule import SCHEDULE
from assignments.tests.staff import make_manager, make_rep
from leads.intake.services import ProductInterest, Submission, consent_now, lead_submit
from leads.models import Lead
from leadsys.queue import run_pending_jobs

# serialized_rollback: like the other transactional tests of the suite, so flushes agree on
# whether post_migrate recreates content types (mixing the two breaks the next test).
# Every minute is a business minute (the root conftest's always_open), so deadlines are plain additions.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("always_open")]


def submit(**fields: Any) -> Lead:
    base = {
        "name": "Ananya Rao",
        "email": "ananya.rao@studio-example.in",
        "phone": "+919812345678",
        "company": "Rao Design Studio",
        "role": "Architect",
        "location": "Bandra, Mumbai",
        "message": "Urgent: we need a quote for 3000 sq ft of engineered oak flooring for a villa, site is ready. "
        "Please call me today.",
        "product_interests": (ProductInterest(category="Flooring", product="Engineered oak", quantity="3000 sq ft"),),
        "consent": consent_now(marketing_opt_in=False),
    }
    result = lead_submit(submission=Submission(**{**base, **fields}))
    return Lead.objects.get(id=result.lead_id)


def events(lead: Lead, type: str) -> list[LeadActivity]:
    return list(LeadActivity.objects.filter(lead=lead, type=type).order_by("created_at"))


def test_a_submitted_lead_is_triaged_routed_scheduled_and_answered(settings: Any) -> None:
    manager = make_manager()
    rep = make_rep(manager=manager, categories=["Flooring"], locations=["Mumbai"])
    make_rep(categories=["Lighting"])  # does not cover flooring

    lead = submit()
    assert not Assignment.objects.filter(lead=lead).exists()  # nothing happens before the worker runs
    run_pending_jobs()

    [ai_result] = events(lead, "ai_result")
    meta = ai_result.metadata
    assert {"intent", "lead_type", "priority", "suggested_action", "reasoning", "model", "prompt_version"} <= set(meta)

    assignment = Assignment.objects.get(lead=lead)
    assert (assignment.owner_id, assignment.status) == (str(rep.id), "active")
    minutes = settings.SLA_MINUTES[meta["priority"]]
    assert assignment.sla_deadline - assignment.assigned_at == timedelta(minutes=minutes)
    [assigned] = events(lead, "assignment")
    assert assigned.metadata["assignment_id"] == str(assignment.id)
    assert [c.get("skipped") for c in assigned.metadata["candidates"]] == [None, ["category"]]

    [follow_up] = events(lead, "follow_up")
    assert follow_up.status == "pending"
    assert follow_up.metadata["action"] == SCHEDULE[meta["suggested_action"]][0]

    # 3000 sq ft is above HIGH_VALUE_MIN_QUANTITY, so priority alone decides.
    approvals = events(lead, "approval")
    assert meta["priority"] == "high", meta["reasoning"]
    assert [(a.status, a.metadata["requires_manager"]) for a in approvals] == [("pending", True)]

    ack, told = events(lead, "email")
    assert ack.metadata["template"] == "acknowledgement"
    assert (told.metadata["template"], told.metadata["to"]) == ("assigned", rep.email)  # the rep is told at once
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, rep.email])

    call = services.contact_log(lead_id=lead.id, actor=rep, channel="call", summary="Discussed the villa")

    assignment.refresh_from_db()
    lead.refresh_from_db()
    assert assignment.status == "completed" and assignment.sla_met is True
    assert assignment.response_time_minutes == round((call.created_at - assignment.assigned_at).total_seconds() / 60)
    assert lead.first_response_at == lead.last_contact_at == call.created_at


def test_a_lead_nobody_can_take_reaches_the_manager_by_email() -> None:
    manager = make_manager()
    make_rep(availability="away")

    lead = submit(email="someone@example.com", role="Home Owner")
    run_pending_jobs()

    assert not Assignment.objects.filter(lead=lead).exists()
    [queued] = [n for n in events(lead, "note") if n.metadata.get("kind") == "manager_queue"]
    to_manager = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(to_manager) == 1 and lead.name in to_manager[0].subject
    assert queued.metadata["candidates"][0]["skipped"] == ["away"]


def test_the_periodic_scan_escalates_an_overdue_lead_through_the_worker() -> None:
    manager = make_manager()
    make_rep(manager=manager)
    lead = submit(email="late@example.com")
    run_pending_jobs()
    past = timezone.now() - timedelta(minutes=1)
    Assignment.objects.filter(lead=lead).update(assigned_at=past - timedelta(minutes=30), sla_deadline=past)

    from assignments.tasks import sla_breach_scan

    sla_breach_scan.defer(timestamp=int(timezone.now().timestamp()))
    run_pending_jobs()

    [breach] = events(lead, "sla_breach")
    assert breach.metadata["notified"] == [manager.email]
    assert any(m.to == [manager.email] and "SLA missed" in m.subject for m in mail.outbox)
