"""Reads for the event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection

from activity.models import StaffRead
from leadsys.roles import as_owner

FOLLOW_UP_COLUMNS = (
    "activity_id",
    "lead_id",
    "lead_name",
    "action",
    "scheduled_for",
    "message",
    "owner_id",
    "owner_name",
)


def pending_follow_ups(
    *,
    limit: int | None = None,
    after_scheduled_for: datetime | None = None,
    after_id: UUID | None = None,
    owner_id: str | None = None,
) -> list[dict[str, Any]]:
    """get_pending_follow_ups(): due follow-ups, oldest first, one keyset page.

    One owner's come from get_owner_pending_follow_ups() (activity/migrations/0012), which
    starts from their open leads instead of walking the team's due follow-ups.
    """
    after = [after_scheduled_for, str(after_id) if after_id else None]
    with connection.cursor() as cursor:
        if owner_id is None:
            cursor.execute("SELECT * FROM get_pending_follow_ups(%s, %s, %s)", [limit, *after])
        else:
            cursor.execute("SELECT * FROM get_owner_pending_follow_ups(%s, %s, %s, %s)", [owner_id, limit, *after])
        return [dict(zip(FOLLOW_UP_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def staff_reads_recent(*, limit: int = 200) -> list[StaffRead]:
    """The newest exports and bulk reads, for a manager's page. Read as the owner: the staff role has no
    privilege on the audit at all (activity/migrations/0008); the page checks the manager first."""
    with as_owner():
        return list(StaffRead.objects.order_by("-created_at", "-id")[:limit])
