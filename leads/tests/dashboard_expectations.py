"""The dashboard figures recounted in Python from the ORM, with the plan's definitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from activity.models import ActivityStatus, LeadActivity
from assignments.models import Assignment
from leads.models import Lead, LeadStatus

ZONE = ZoneInfo(settings.TIME_ZONE)


def db_now() -> datetime:
    """The function's now(): the start of this test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def half_up(value: Decimal, places: int) -> float:
    # PostgreSQL's round(numeric) rounds halves away from zero.
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def expected_stats(now: datetime) -> dict[str, Any]:
    today = now.astimezone(ZONE).date()
    window_start = now - timedelta(days=30)
    leads = list(Lead.objects.values_list("created_at", "status"))
    recent = [status for created_at, status in leads if created_at > window_start]
    converted = sum(1 for status in recent if status == LeadStatus.CONVERTED)
    minutes = [
        a.response_time_minutes
        for a in Assignment.objects.exclude(completed_at=None)
        if a.completed_at > window_start and a.response_time_minutes is not None
    ]
    follow_ups = LeadActivity.objects.filter(type="follow_up", status=ActivityStatus.PENDING)
    return {
        "total_leads": len(leads),
        "new_leads_today": sum(1 for created_at, _ in leads if created_at.astimezone(ZONE).date() == today),
        "pending_follow_ups": sum(
            1 for f in follow_ups if datetime.fromisoformat(f.metadata["scheduled_for"]) <= now + timedelta(hours=1)
        ),
        "pending_approvals": LeadActivity.objects.filter(type="approval", status=ActivityStatus.PENDING).count(),
        # The plan's live figure: active assignments past their deadline now.
        "sla_violations": Assignment.objects.filter(status="active", sla_deadline__lt=now).count(),
        # What the escalation job recorded in the last 30 days, one per assignment.
        "sla_breaches_30d": LeadActivity.objects.filter(type="sla_breach", created_at__gt=now - timedelta(days=30))
        .values("metadata__assignment_id")
        .distinct()
        .count(),
        "avg_response_time_minutes": half_up(Decimal(sum(minutes)) / len(minutes), 0) if minutes else None,
        "conversion_rate": half_up(Decimal(converted) / len(recent) * 100, 2) if recent else None,
    }
