"""get_dashboard_stats() through leads.selectors.dashboard_stats(), against the ORM.

The function reads trigger-kept counter tables; the expected figures here are
counted in Python from the rows themselves, with the plan's definitions and
the business time zone, after inserts, status updates, moves and deletes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activity.models import ActivityStatus
from activity.services import activity_append
from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.models import Lead, LeadStatus
from leads.selectors import dashboard_stats
from leads.tests.dashboard_expectations import ZONE, db_now, expected_stats
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

PLAN_KEYS = {
    "total_leads",
    "new_leads_today",
    "pending_follow_ups",
    "pending_approvals",
    "sla_violations",
    "sla_breaches_30d",
    "avg_response_time_minutes",
    "conversion_rate",
}


def business_midnight(now: datetime) -> datetime:
    """00:00 today in the business time zone."""
    return now.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)


def build_leads(now: datetime) -> dict[str, Lead]:
    midnight = business_midnight(now)
    window_start = now - timedelta(days=30)
    return {
        "yesterday_2359": LeadFactory(created_at=midnight - timedelta(minutes=1)),
        "today_0000": LeadFactory(created_at=midnight),
        # Still the previous day in UTC: only the business zone makes it today's.
        "today_0030": LeadFactory(created_at=midnight + timedelta(minutes=30), status=LeadStatus.CONVERTED),
        "now": LeadFactory(created_at=now - timedelta(seconds=1)),
        "edge_out": LeadFactory(created_at=window_start - timedelta(minutes=1), status=LeadStatus.CONVERTED),
        "edge_in": LeadFactory(created_at=window_start + timedelta(minutes=1), status=LeadStatus.CONVERTED),
        "day_after_edge": LeadFactory(created_at=window_start + timedelta(days=1)),
        "last_week": LeadFactory(created_at=now - timedelta(days=7), status=LeadStatus.QUALIFIED),
        "old": LeadFactory(created_at=now - timedelta(days=45), status=LeadStatus.CONVERTED),
    }


def record_breach(assignment: object, now: datetime) -> None:
    """What the escalation job writes (assignments.services.sla_breach_record), without its emails."""
    activity_append(
        lead_id=assignment.lead_id,
        type="sla_breach",
        message="SLA missed",
        metadata={
            "assignment_id": str(assignment.id),
            "owner_id": assignment.owner_id,
            "sla_deadline": assignment.sla_deadline.isoformat(),
            "detected_at": now.isoformat(),
        },
    )


def build_work(now: datetime) -> None:
    window_start = now - timedelta(days=30)
    FollowUpFactory(scheduled_for=now - timedelta(days=1))
    FollowUpFactory(scheduled_for=now + timedelta(minutes=59))
    FollowUpFactory(scheduled_for=now + timedelta(minutes=61))
    FollowUpFactory(scheduled_for=now - timedelta(hours=2), status=ActivityStatus.COMPLETED)
    FollowUpFactory(scheduled_for=now - timedelta(hours=2), status=ActivityStatus.CANCELLED)
    ApprovalFactory.create_batch(2)
    ApprovalFactory(status=ActivityStatus.APPROVED)

    overdue = AssignmentFactory(assigned_at=now - timedelta(hours=5))  # overdue: 4-hour SLA
    record_breach(overdue, now)
    AssignmentFactory(assigned_at=now - timedelta(hours=6))  # overdue, but no breach recorded yet
    AssignmentFactory(assigned_at=now - timedelta(hours=1))
    AssignmentFactory(assigned_at=now - timedelta(hours=9), completed=True)  # late but closed
    AssignmentFactory(
        assigned_at=now - timedelta(hours=2), completed_at=now - timedelta(hours=2) + timedelta(minutes=45)
    )
    edge = window_start + timedelta(minutes=1)
    AssignmentFactory(assigned_at=edge - timedelta(minutes=61), completed_at=edge, status="completed")
    out = window_start - timedelta(minutes=1)
    AssignmentFactory(assigned_at=out - timedelta(minutes=500), completed_at=out, status="completed")


def test_it_returns_the_plans_keys_and_zeros_on_an_empty_database() -> None:
    assert not Lead.objects.exists()
    stats = dashboard_stats()
    assert set(stats) == PLAN_KEYS
    assert stats == expected_stats(db_now())
    assert stats["avg_response_time_minutes"] is None
    assert stats["conversion_rate"] is None


def test_it_counts_today_by_the_business_day_and_the_30_day_window_to_the_minute() -> None:
    now = db_now()
    leads = build_leads(now)
    stats = dashboard_stats()
    assert stats == expected_stats(now)
    today = {k for k, lead in leads.items() if lead.created_at.astimezone(ZONE).date() == now.astimezone(ZONE).date()}
    assert "yesterday_2359" not in today
    assert stats["new_leads_today"] == len(today)


def test_it_counts_work_items_and_response_times() -> None:
    now = db_now()
    build_leads(now)
    build_work(now)
    stats = dashboard_stats()
    assert stats == expected_stats(now)
    assert stats["pending_follow_ups"] == 2
    assert stats["sla_violations"] == 2  # live: both overdue, recorded or not
    assert stats["sla_breaches_30d"] == 1


def test_it_follows_status_updates() -> None:
    now = db_now()
    leads = build_leads(now)
    build_work(now)
    Lead.objects.filter(pk__in=[leads["now"].pk, leads["day_after_edge"].pk]).update(status=LeadStatus.CONVERTED)
    lead = leads["today_0030"]
    lead.status = LeadStatus.LOST
    lead.save(update_fields=["status"])
    assert dashboard_stats() == expected_stats(now)


def test_it_follows_a_lead_moved_across_midnight() -> None:
    now = db_now()
    leads = build_leads(now)
    midnight = business_midnight(now)
    Lead.objects.filter(pk=leads["yesterday_2359"].pk).update(created_at=midnight + timedelta(minutes=1))
    Lead.objects.filter(pk=leads["today_0000"].pk).update(created_at=midnight - timedelta(seconds=1))
    Lead.objects.filter(pk=leads["edge_out"].pk).update(created_at=now - timedelta(days=29))
    assert dashboard_stats() == expected_stats(now)


def test_it_follows_deletes_and_their_cascade() -> None:
    now = db_now()
    leads = build_leads(now)
    build_work(now)
    Lead.objects.filter(pk__in=[leads["today_0030"].pk, leads["edge_in"].pk, leads["old"].pk]).delete()
    completed = Assignment.objects.exclude(completed_at=None).order_by("completed_at").last()
    Lead.objects.filter(pk=completed.lead_id).delete()  # its assignment goes with it
    assert dashboard_stats() == expected_stats(now)


def test_it_follows_assignments_completed_reopened_and_recompleted() -> None:
    now = db_now()
    build_work(now)
    active = Assignment.objects.filter(status="active").order_by("assigned_at")
    first, second = active[0], active[1]
    Assignment.objects.filter(pk=first.pk).update(status="completed", completed_at=now - timedelta(minutes=3))
    assert dashboard_stats() == expected_stats(now)
    Assignment.objects.filter(pk=first.pk).update(status="active", completed_at=None)
    Assignment.objects.filter(pk=second.pk).update(status="completed", completed_at=now)
    assert dashboard_stats() == expected_stats(now)


def test_it_matches_a_full_recount_whatever_the_mix() -> None:
    now = db_now()
    for days in range(0, 40, 3):
        LeadFactory.create_batch(
            2, created_at=now - timedelta(days=days, hours=days % 7), status=LeadStatus.values[days % 6]
        )
    assert dashboard_stats() == expected_stats(now)


def test_it_follows_a_truncate() -> None:
    # Django's flush (after every transactional test, live_server included)
    # empties the tables with TRUNCATE, which fires no DELETE trigger.
    now = db_now()
    build_leads(now)
    build_work(now)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads CASCADE")
    assert dashboard_stats() == expected_stats(now)


DST_ZONES = ("America/Los_Angeles", "Europe/London", "Australia/Sydney", "America/Santiago", "Pacific/Auckland")


def zone_with_a_clock_change_in_the_window(now: datetime) -> str:
    """A zone whose UTC offset changed in the last 30 days, where one exists today."""
    for name in DST_ZONES:
        zone = ZoneInfo(name)
        if now.astimezone(zone).utcoffset() != (now - timedelta(days=30)).astimezone(zone).utcoffset():
            return name
    return DST_ZONES[0]


@pytest.mark.parametrize("session_zone", ["UTC", "Pacific/Kiritimati", "clock_change"])
def test_it_ignores_the_session_time_zone(session_zone: str) -> None:
    # A BI client's session zone must not move "today" or the 30-day window
    # (SEED-NOTES #5). Expected first: Django reads times assuming a UTC session.
    now = db_now()
    build_leads(now)
    build_work(now)
    expected = expected_stats(now)
    if session_zone == "clock_change":
        session_zone = zone_with_a_clock_change_in_the_window(now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [session_zone])
    assert dashboard_stats() == expected
