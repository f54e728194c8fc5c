"""Follow-ups: the AI's suggested next step and the ones people schedule, their decision and reminders.

When a suggested action falls due is assignments.schedule's, which the demo data uses too.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from assignments import routing
from assignments.guards import require_lead, require_staff
from assignments.notify import staff_email_send
from assignments.outbox import webhook_emit
from assignments.pending import decide, lock_pending
from assignments.schedule import first_follow_up
from assignments.selectors import active_assignment
from leads import labels
from leads.models import Lead
from leadsys.exceptions import DomainError

# --- Follow-ups --------------------------------------------------------------------------


def follow_up_from_ai(*, lead_id: UUID, ai_result: LeadActivity, now: datetime | None = None) -> LeadActivity | None:
    """Schedule the AI's suggested next step, unless one it suggested is still pending."""
    meta = ai_result.metadata or {}
    plan = first_follow_up(meta.get("suggested_action", ""), now or timezone.now())
    if plan is None:
        return None
    pending = LeadActivity.objects.filter(
        lead_id=lead_id, type=ActivityType.FOLLOW_UP, status=ActivityStatus.PENDING, actor_type=ActorType.AI
    )
    if pending.exists():
        return None
    action, scheduled_for, reason = plan
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.FOLLOW_UP,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.AI,
        message=f"{reason} (suggested: {meta['suggested_action']})",
        metadata={"action": action, "scheduled_for": scheduled_for.isoformat(), "reason": reason},
    )


@transaction.atomic
def follow_up_add(
    *, lead_id: UUID, actor: User, action: str, scheduled_for: datetime, reason: str | None = None
) -> LeadActivity:
    require_staff(actor)
    require_lead(lead_id)
    if not isinstance(scheduled_for, datetime) or timezone.is_naive(scheduled_for):
        raise DomainError("scheduled_for needs a date, a time and a time zone.", code="invalid", field="scheduled_for")
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.FOLLOW_UP,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
        message=reason or f"Follow-up: {action}",
        metadata={"action": action, "scheduled_for": scheduled_for.isoformat(), "reason": reason},
    )


def follow_up_complete(*, activity_id: UUID, actor: User, outcome: str | None = None) -> LeadActivity:
    return _follow_up_close(activity_id=activity_id, actor=actor, status=ActivityStatus.COMPLETED, outcome=outcome)


def follow_up_cancel(*, activity_id: UUID, actor: User, reason: str | None = None) -> LeadActivity:
    return _follow_up_close(activity_id=activity_id, actor=actor, status=ActivityStatus.CANCELLED, outcome=reason)


@transaction.atomic
def _follow_up_close(*, activity_id: UUID, actor: User, status: str, outcome: str | None) -> LeadActivity:
    require_staff(actor)
    item = lock_pending(activity_id=activity_id, type=ActivityType.FOLLOW_UP)
    return decide(
        item, status=status, added={"decided_by": str(actor.id), "decided_at": timezone.now(), "outcome": outcome}
    )


def due_follow_up_ids(*, now: datetime, limit: int = 500) -> list[UUID]:
    """Pending follow-ups that are due and not yet reminded, oldest first."""
    due_at = RawSQL("try_timestamptz(lead_activity.metadata->>'scheduled_for')", [])
    return list(
        LeadActivity.objects.filter(type=ActivityType.FOLLOW_UP, status=ActivityStatus.PENDING)
        .exclude(metadata__has_key="reminder_sent_at")
        .annotate(due_at=due_at)
        .filter(due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def follow_up_reminders_send(*, now: datetime | None = None) -> list[UUID]:
    """Email the owner (or, for an unowned lead, the managers) of each due follow-up, once."""
    now = now or timezone.now()
    return [item_id for item_id in due_follow_up_ids(now=now) if follow_up_remind(activity_id=item_id, now=now)]


@transaction.atomic
def follow_up_remind(*, activity_id: UUID, now: datetime) -> bool:
    item = LeadActivity.objects.select_for_update().filter(id=activity_id, status=ActivityStatus.PENDING).first()
    if item is None or "reminder_sent_at" in item.metadata:
        return False  # decided or reminded meanwhile
    lead = Lead.objects.get(id=item.lead_id)
    owner = active_assignment(lead_id=lead.id)
    to = _user_emails(owner.owner_id) if owner else []
    sent = staff_email_send(
        lead_id=lead.id,
        template="follow_up_due",
        to=to or routing.manager_emails(),
        subject=f"Follow-up due: {labels.label('follow_up_action', item.metadata['action']).lower()} for {lead.name}",
        context={"lead": lead, "follow_up": item, "scheduled_for": item.metadata["scheduled_for"], "owner": owner},
    )
    decide(item, status=None, added={"reminder_sent_at": now})
    webhook_emit("follow_up.due", {"lead_id": str(lead.id), "activity_id": str(item.id), **item.metadata})
    return bool(sent)


def _user_emails(user_id: str) -> list[str]:
    if not user_id.isdigit():
        return []
    return [
        e for e in routing.staff_users().filter(id=int(user_id), is_active=True).values_list("email", flat=True) if e
    ]
