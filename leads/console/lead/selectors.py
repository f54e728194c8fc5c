"""Reads for the queue and the lead page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from activity.models import LeadActivity
from assignments.routing import display_name, staff_users
from leads.selectors import RETURNING_SQL

# The lead's intent and priority as get_lead_full() reports them: the latest
# ai_result, overridden by the latest correction of that result.
QUEUE_SQL = """
SELECT a.id, a.lead_id, a.assigned_at, a.sla_deadline, l.name, l.company, l.status,
       COALESCE(c.metadata->>'intent', ai.metadata->>'intent'),
       COALESCE(c.metadata->>'priority', ai.metadata->>'priority'),
       {returning}
FROM assignments a
JOIN leads l ON l.id = a.lead_id
LEFT JOIN LATERAL (
  SELECT x.id, x.metadata FROM lead_activity x
  WHERE x.lead_id = a.lead_id AND x.type = 'ai_result' ORDER BY x.created_at DESC, x.id DESC LIMIT 1
) ai ON true
LEFT JOIN LATERAL (
  SELECT x.metadata FROM lead_activity x
  WHERE x.lead_id = a.lead_id AND x.type = 'ai_correction' AND x.metadata->>'overrides' = ai.id::text
  ORDER BY x.created_at DESC, x.id DESC LIMIT 1
) c ON true
WHERE a.owner_id = %s AND a.status = 'active'
ORDER BY a.sla_deadline, a.id
LIMIT %s
""".replace("{returning}", RETURNING_SQL.replace("leads.", "l."))
QUEUE_LIMIT = 500


@dataclass(frozen=True)
class QueueRow:
    assignment_id: UUID
    lead_id: UUID
    assigned_at: datetime
    sla_deadline: datetime
    name: str
    company: str | None
    status: str
    intent: str | None
    priority: str | None
    returning: bool = False

    @property
    def intent_label(self) -> str:
        return self.intent.replace("_", " ").capitalize() if self.intent else "—"


def queue_rows(*, owner_id: str, limit: int = QUEUE_LIMIT) -> list[QueueRow]:
    """The owner's active assignments, most urgent (earliest SLA deadline) first."""
    with connection.cursor() as cursor:
        cursor.execute(QUEUE_SQL, [owner_id, limit])
        return [QueueRow(*row) for row in cursor.fetchall()]


def user_names(ids: Iterable[Any]) -> dict[str, str]:
    """Display names by user id (as the text the event log stores)."""
    numeric = {int(i) for i in ids if i is not None and str(i).isdigit() and len(str(i)) < 10}
    return {str(u.id): display_name(u) for u in staff_users().filter(id__in=numeric)}


def lead_activity_exists(*, lead_id: UUID, activity_id: UUID, type: str) -> bool:
    return LeadActivity.objects.filter(id=activity_id, lead_id=lead_id, type=type).exists()


def as_datetime(value: str | None) -> datetime | None:
    """A timestamp from get_lead_full()'s JSON, in the current time zone."""
    if not value:
        return None
    parsed = parse_datetime(value)
    return timezone.localtime(parsed) if parsed and timezone.is_aware(parsed) else parsed
