"""What follows a lead's arrival: triage, then everything the AI's answer sets going, in one transaction.

The event log (activity) only classifies and records; routing, the suggested
follow-up, the approval and the webhook live above it, so this step calls both.
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q

from activity.models import ActorType, LeadActivity
from activity.services import activity_append
from activity.triage import LeadSnapshot, triage
from assignments.approvals import approval_from_ai
from assignments.followups import follow_up_from_ai
from assignments.guards import lock_lead
from assignments.outbox import webhook_emit
from assignments.services import RoutingOutcome, lead_route
from leads.models import Lead


def lead_triage(*, lead_id: UUID) -> LeadActivity:
    """Ask the configured provider about the lead and append its ai_result.

    The provider call happens outside any transaction (it may take seconds);
    the event and what follows from it (routing) are written in one.
    Idempotent: a job retried after it committed (its worker was killed
    before it could say so) finds the lead triaged and writes nothing.
    """
    lead = Lead.objects.prefetch_related("products").get(id=lead_id)
    done, resubmissions = _triage_done(lead_id=lead_id)
    if done is not None:
        return done
    snapshot = LeadSnapshot(
        name=lead.name,
        email=lead.email,
        role=lead.role,
        company=lead.company,
        location=lead.location,
        message=_latest_message(lead, resubmissions=resubmissions),
        source=lead.source,
        products=tuple((p.category, p.product, p.quantity, p.notes) for p in lead.products.all()),
    )
    result = triage(snapshot)
    with transaction.atomic():
        # The lead's row lock makes check-and-append one step for two jobs of one lead.
        lock_lead(lead_id)
        done, _ = _triage_done(lead_id=lead_id)
        if done is not None:
            return done
        event = activity_append(
            lead_id=lead_id,
            type="ai_result",
            actor_type=ActorType.AI,
            message=f"AI triage: {result['intent']}, {result['priority']} priority, {result['suggested_action']}",
            metadata=result,
        )
        # Emitted before routing emits lead.assigned: an endpoint's deliveries keep the order events happened in.
        webhook_emit("lead.triaged", {"lead_id": str(lead_id), "activity_id": str(event.id), **event.metadata})
        lead_after_triage(lead_id=lead_id, ai_result=event)
    return event


def _triage_done(*, lead_id: UUID) -> tuple[LeadActivity | None, int]:
    """The latest ai_result when every submission of the lead (the first and each resubmission) has one,
    else None; and how many resubmissions there are.

    Counted, not compared by time: a resubmission that lands while a triage
    runs still gets its own triage. One query in the usual case (not yet triaged).
    """
    events = LeadActivity.objects.filter(lead_id=lead_id)
    counts = events.aggregate(
        resubmissions=Count("id", filter=Q(type="note", metadata__kind="resubmission")),
        results=Count("id", filter=Q(type="ai_result")),
    )
    if counts["results"] < 1 + counts["resubmissions"]:
        return None, counts["resubmissions"]
    return events.filter(type="ai_result").order_by("-created_at", "-id").first(), counts["resubmissions"]


def _latest_message(lead: Lead, *, resubmissions: int) -> str | None:
    """The original message plus any same-day resubmissions, newest last."""
    parts = [lead.message or ""]
    if resubmissions:
        events = lead.activities.filter(type="note", metadata__kind="resubmission").order_by("created_at")
        parts += [a.metadata.get("message") or "" for a in events]
    text = "\n\n".join(p for p in parts if p)
    return text or None


@transaction.atomic(savepoint=False)
def lead_after_triage(*, lead_id: UUID, ai_result: LeadActivity) -> RoutingOutcome:
    """What follows an ai_result: an owner, the suggested next step, and a manager approval if high value."""
    outcome = lead_route(lead_id=lead_id, ai_result=ai_result)
    if not outcome.spam:
        follow_up_from_ai(lead_id=lead_id, ai_result=ai_result)
        approval_from_ai(lead_id=lead_id, ai_result=ai_result)
    return outcome
