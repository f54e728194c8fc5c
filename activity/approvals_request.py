"""A person asks a manager to approve something about a lead (a discount, a custom quote).

The AI asks for high-value leads in activity.followups.approval_from_ai; this is
the same pending approval event, asked for by a rep or manager.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction

from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from assignments import routing
from leads.models import Lead
from leadsys.exceptions import DomainError, NotAllowed

REQUESTABLE_APPROVALS = ("discount", "custom_quote", "credit_terms", "site_visit", "other")


@transaction.atomic
def approval_request(*, lead_id: UUID, actor: User, approval_type: str, reason: str) -> LeadActivity:
    if not routing.is_staff_member(actor):
        raise NotAllowed("Only sales reps and managers can request an approval.", code="not_staff")
    if approval_type not in REQUESTABLE_APPROVALS:
        raise DomainError(f"Unknown approval type {approval_type!r}.", code="invalid", field="approval_type")
    if not reason or not reason.strip():
        raise DomainError("Say what the manager should approve.", code="required", field="reason")
    if not Lead.objects.filter(id=lead_id).exists():
        raise DomainError("No such lead.", code="not_found", field="lead_id")
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.APPROVAL,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
        message=reason.strip(),
        metadata={"approval_type": approval_type, "requires_manager": True},
    )
