"""When the AI's suggested next step falls due: the one schedule, for the services and the demo data.

Pure functions of a time and a business calendar (no database, no settings when
the calendar is given), so the demo generator can run them in worker processes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from assignments import business_hours as bh

Rule = Callable[[datetime, bh.BusinessCalendar | None], datetime]


def _call_today(at: datetime, calendar: bh.BusinessCalendar | None) -> datetime:
    # An hour before closing, but never before the clock starts.
    return max(bh.business_start(at, calendar=calendar), bh.day_close(at, calendar=calendar) - timedelta(hours=1))


# suggested_action -> (follow-up action, when, reason); discard_spam schedules nothing.
SCHEDULE: dict[str, tuple[str, Rule, str]] = {
    "call_within_30_min": (
        "call",
        lambda at, c: bh.sla_deadline(at, 30, calendar=c),
        "Call within 30 business minutes",
    ),
    "call_today": ("call", _call_today, "Call before the end of the business day"),
    "schedule_site_visit": (
        "site_visit",
        lambda at, c: bh.business_days_after(at, 1, calendar=c),
        "Arrange a site visit",
    ),
    "send_samples": (
        "send_samples",
        lambda at, c: bh.business_days_after(at, 1, calendar=c),
        "Send the samples asked for",
    ),
    "send_catalog": ("send_catalog", lambda at, c: bh.sla_deadline(at, 120, calendar=c), "Send the catalogue"),
    "nurture_email": ("email", lambda at, c: bh.business_days_after(at, 3, calendar=c), "Nurture email"),
    "forward_to_support": (
        "email",
        lambda at, c: bh.sla_deadline(at, 240, calendar=c),
        "Forward to support and tell the customer",
    ),
}


def first_follow_up(
    suggested_action: str, at: datetime, *, calendar: bh.BusinessCalendar | None = None
) -> tuple[str, datetime, str] | None:
    """(follow-up action, due time, reason) for a suggested action seen at `at`; None when it schedules nothing."""
    plan = SCHEDULE.get(suggested_action)
    if plan is None:
        return None
    action, when, reason = plan
    return action, when(at, calendar), reason
