"""Snoozing a follow-up: close the pending one and schedule the same action later.

assignments.followups offers complete and cancel but no reschedule, and the
append-only log forbids moving scheduled_for, so a snooze is a cancel (with
the reason) plus a new pending follow-up, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.models import ActivityType, LeadActivity
from assignments import business_hours as bh
from assignments import followups
from leadsys.exceptions import DomainError, NotFound

SNOOZE_CHOICES: dict[str, tuple[str, Callable[[datetime], datetime]]] = {
    "1h": (_("1 hour"), lambda now: now + timedelta(hours=1)),
    "1d": (_("Next business day"), lambda now: bh.business_days_after(now, 1)),
    "1w": (_("In a week (5 business days)"), lambda now: bh.business_days_after(now, 5)),
}


@transaction.atomic
def follow_up_snooze(*, activity_id: UUID, actor: User, until: str, now: datetime | None = None) -> LeadActivity:
    if until not in SNOOZE_CHOICES:
        raise DomainError("Choose how long to snooze for.", code="invalid", field="until")
    item = LeadActivity.objects.filter(id=activity_id, type=ActivityType.FOLLOW_UP).first()
    if item is None:
        raise NotFound("No such follow-up.", field="activity_id")
    _label, when = SNOOZE_CHOICES[until]
    scheduled_for = when(now or timezone.now())
    # The cancel locks the row and refuses a follow-up already decided.
    followups.follow_up_cancel(activity_id=item.id, actor=actor, reason=f"Snoozed until {scheduled_for.isoformat()}")
    return followups.follow_up_add(
        lead_id=item.lead_id,
        actor=actor,
        action=item.metadata["action"],
        scheduled_for=scheduled_for,
        reason=(item.metadata.get("reason") or item.message)[:1000],
    )
