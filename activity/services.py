"""Writes to the event log. Every event goes through activity_append()."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction

from activity.metadata import validate_metadata
from activity.models import DEFAULT_STATUSES, STATUSES_BY_TYPE, ActorType, LeadActivity
from leads.webhooks import webhook_emit
from leadsys.exceptions import DomainError


def activity_append(
    *,
    lead_id: UUID,
    type: str,
    message: str,
    metadata: dict[str, Any] | None = None,
    status: str = "completed",
    actor_type: str = ActorType.SYSTEM,
    actor_id: str | None = None,
) -> LeadActivity:
    """Validate an event against its type's schema and append it."""
    allowed = STATUSES_BY_TYPE.get(type, DEFAULT_STATUSES)
    if status not in allowed:
        raise DomainError(f"A {type} event cannot have status {status!r}.", code="invalid_status", field="status")
    if not message or not message.strip():
        raise DomainError("An event needs a message.", code="required", field="message")
    stored = validate_metadata(type, metadata)
    activity = LeadActivity(
        lead_id=lead_id,
        type=type,
        status=status,
        message=message.strip()[:10_000],
        actor_type=actor_type,
        actor_id=actor_id,
        metadata=stored,
    )
    # force_insert: a plain INSERT, no UPDATE attempt and no RETURNING, so the
    # anon role (insert-only under RLS) can append events during intake.
    activity.save(force_insert=True)
    return activity


def lead_triage(*, lead_id: UUID) -> LeadActivity:
    """Ask the configured provider about the lead and append its ai_result.

    The provider call happens outside any transaction (it may take seconds);
    the event and what follows from it (routing) are written in one.
    """
    from activity.triage import LeadSnapshot, triage
    from leads.models import Lead

    lead = Lead.objects.prefetch_related("products").get(id=lead_id)
    snapshot = LeadSnapshot(
        name=lead.name,
        email=lead.email,
        role=lead.role,
        company=lead.company,
        location=lead.location,
        message=_latest_message(lead),
        source=lead.source,
        products=tuple((p.category, p.product, p.quantity, p.notes) for p in lead.products.all()),
    )
    result = triage(snapshot)
    with transaction.atomic():
        event = activity_append(
            lead_id=lead_id,
            type="ai_result",
            actor_type=ActorType.AI,
            message=f"AI triage: {result['intent']}, {result['priority']} priority, {result['suggested_action']}",
            metadata=result,
        )
        _after_triage(lead_id=lead_id, ai_result=event)
    return event


def _latest_message(lead: Any) -> str | None:
    """The original message plus any same-day resubmissions, newest last."""
    parts = [lead.message or ""]
    resubmissions = lead.activities.filter(type="note", metadata__kind="resubmission").order_by("created_at")
    parts += [a.metadata.get("message") or "" for a in resubmissions]
    text = "\n\n".join(p for p in parts if p)
    return text or None


def _after_triage(*, lead_id: UUID, ai_result: LeadActivity) -> None:
    """Routing, follow-up and approval hook (assignments.services)."""
    from assignments.services import lead_after_triage

    lead_after_triage(lead_id=lead_id, ai_result=ai_result)
    webhook_emit("lead.triaged", {"lead_id": str(lead_id), "activity_id": str(ai_result.id), **ai_result.metadata})
