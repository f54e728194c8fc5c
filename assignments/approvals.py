"""Approvals: a manager's yes or no, asked for by the AI (a high-value lead) or by a person (a discount, a custom quote)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from assignments import routing
from assignments.guards import require_lead, require_manager, require_staff
from assignments.outbox import webhook_emit
from assignments.pending import decide, lock_pending
from leads.models import LeadProduct
from leadsys.exceptions import DomainError

HIGH_VALUE_APPROVAL = "high_value_lead"
REQUESTABLE_APPROVALS = ("discount", "custom_quote", "credit_terms", "site_visit", "other")


@transaction.atomic
def approval_request(*, lead_id: UUID, actor: User, approval_type: str, reason: str) -> LeadActivity:
    require_staff(actor, message="Only sales reps and managers can request an approval.")
    if approval_type not in REQUESTABLE_APPROVALS:
        raise DomainError(f"Unknown approval type {approval_type!r}.", code="invalid", field="approval_type")
    if not reason or not reason.strip():
        raise DomainError("Say what the manager should approve.", code="required", field="reason")
    require_lead(lead_id)
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.APPROVAL,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
        message=reason.strip(),
        metadata={"approval_type": approval_type, "requires_manager": True},
    )


def approval_from_ai(*, lead_id: UUID, ai_result: LeadActivity) -> LeadActivity | None:
    """A pending manager approval for a high-value lead, once per lead."""
    meta = ai_result.metadata or {}
    quantities = LeadProduct.objects.filter(lead_id=lead_id).values_list("quantity", flat=True)
    if not routing.is_high_value(priority=meta.get("priority"), lead_type=meta.get("lead_type"), quantities=quantities):
        return None
    exists = LeadActivity.objects.filter(
        lead_id=lead_id, type=ActivityType.APPROVAL, metadata__approval_type=HIGH_VALUE_APPROVAL
    ).exists()
    if exists:
        return None
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.APPROVAL,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.AI,
        message=f"High-value lead ({meta.get('lead_type')}, {meta.get('priority')} priority): manager approval needed",
        metadata={
            "approval_type": HIGH_VALUE_APPROVAL,
            "ai_recommendation": f"{meta.get('suggested_action')}: {meta.get('reasoning') or ''}".strip(" :")[:1000],
            "requires_manager": True,
        },
    )


@transaction.atomic
def approval_decide(*, activity_id: UUID, actor: User, approve: bool, comment: str) -> LeadActivity:
    """Only a manager approves or rejects, always with a comment."""
    require_manager(actor, message="Only a sales manager can decide an approval.")
    if not comment or not comment.strip():
        raise DomainError("A decision needs a comment.", code="required", field="comment")
    item = lock_pending(activity_id=activity_id, type=ActivityType.APPROVAL)
    decided = decide(
        item,
        status=ActivityStatus.APPROVED if approve else ActivityStatus.REJECTED,
        added={
            "decided_by": str(actor.id),
            "decided_by_name": routing.display_name(actor),
            "decided_at": timezone.now(),
            "comment": comment.strip(),
        },
    )
    webhook_emit(
        "approval.decided",
        {"lead_id": str(decided.lead_id), "activity_id": str(decided.id), "status": decided.status, **decided.metadata},
    )
    return decided
