"""get_pending_follow_ups() through activity.selectors.pending_follow_ups(), against the ORM.

Due means scheduled_for <= now(), where now() is the start of the test's
transaction: the expected rows are computed from that same instant.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activity.models import ActivityStatus, LeadActivity
from activity.selectors import FOLLOW_UP_COLUMNS, pending_follow_ups
from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

PLAN_COLUMNS = ("activity_id", "lead_id", "lead_name", "action", "scheduled_for", "message")


def db_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def expected_rows(now: datetime, owner_id: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for follow_up in LeadActivity.objects.filter(type="follow_up", status=ActivityStatus.PENDING).select_related(
        "lead"
    ):
        due = datetime.fromisoformat(follow_up.metadata["scheduled_for"])
        owner = Assignment.objects.filter(lead_id=follow_up.lead_id, status="active").first()
        if due > now or (owner_id is not None and (owner is None or owner.owner_id != owner_id)):
            continue
        rows.append(
            {
                "activity_id": follow_up.id,
                "lead_id": follow_up.lead_id,
                "lead_name": follow_up.lead.name,
                "action": follow_up.metadata["action"],
                "scheduled_for": due,
                "message": follow_up.message,
                "owner_id": owner.owner_id if owner else None,
                "owner_name": owner.owner_name if owner else None,
            }
        )
    return sorted(rows, key=lambda r: (r["scheduled_for"], r["activity_id"]))


def build(now: datetime) -> None:
    """Due follow-ups across three owners and none, with shared due times."""
    rep_a = [AssignmentFactory(owner_id="rep-a").lead for _ in range(3)]
    rep_b = [AssignmentFactory(owner_id="rep-b").lead for _ in range(2)]
    AssignmentFactory(owner_id="rep-a", lead=rep_b[0], completed=True, status="reassigned")
    nobody = [LeadFactory(), LeadFactory()]
    kolkata = ZoneInfo("Asia/Kolkata")
    tie = now - timedelta(hours=3)
    for index, lead in enumerate(rep_a + rep_b + nobody):
        FollowUpFactory(lead=lead, scheduled_for=now - timedelta(days=index, minutes=7 * index))
        FollowUpFactory(lead=lead, scheduled_for=tie)  # one due time shared by seven rows
        FollowUpFactory(lead=lead, scheduled_for=(now - timedelta(minutes=index)).astimezone(kolkata))
        FollowUpFactory(lead=lead, scheduled_for=now + timedelta(minutes=1 + index))  # not due yet
    FollowUpFactory(lead=rep_a[0], scheduled_for=now - timedelta(days=1), status=ActivityStatus.COMPLETED)
    FollowUpFactory(lead=rep_b[1], scheduled_for=now - timedelta(days=1), status=ActivityStatus.CANCELLED)
    ApprovalFactory(lead=rep_a[1])


def all_pages(limit: int, owner_id: str | None = None) -> list[list[dict[str, Any]]]:
    pages = [pending_follow_ups(limit=limit, owner_id=owner_id)]
    due = LeadActivity.objects.filter(type="follow_up", status=ActivityStatus.PENDING).count()
    while pages[-1]:
        # A cursor that does not move would loop for ever: fail instead.
        assert len(pages) <= due + 1, "paging does not end"
        last = pages[-1][-1]
        pages.append(
            pending_follow_ups(
                limit=limit, after_scheduled_for=last["scheduled_for"], after_id=last["activity_id"], owner_id=owner_id
            )
        )
    return pages[:-1]


def test_it_returns_an_empty_list_on_an_empty_database() -> None:
    assert pending_follow_ups() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM get_pending_follow_ups()")
        assert cursor.fetchall() == []


def test_it_returns_every_due_follow_up_oldest_first_with_its_owner() -> None:
    now = db_now()
    build(now)
    expected = expected_rows(now)
    assert pending_follow_ups() == expected
    assert len(expected) == 21  # 7 leads x 3 due rows: the sample covers ties and owners
    assert {row["owner_id"] for row in expected} == {"rep-a", "rep-b", None}


def test_it_answers_the_plans_zero_argument_call() -> None:
    now = db_now()
    build(now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM get_pending_follow_ups()")
        columns = tuple(column.name for column in cursor.description)
        rows = cursor.fetchall()
    assert columns[: len(PLAN_COLUMNS)] == PLAN_COLUMNS
    assert columns == FOLLOW_UP_COLUMNS
    assert [dict(zip(columns, row, strict=True)) for row in rows] == expected_rows(now)


def test_it_returns_timestamptz_whatever_offset_was_written() -> None:
    now = db_now()
    lead = LeadFactory()
    written = (now - timedelta(hours=1)).astimezone(ZoneInfo("America/St_Johns"))  # UTC-03:30 / -02:30
    FollowUpFactory(lead=lead, scheduled_for=written)
    (row,) = pending_follow_ups()
    assert row["scheduled_for"].utcoffset() is not None
    assert row["scheduled_for"] == written


@pytest.mark.parametrize("limit", [1, 2, 5, 7, 50])
def test_it_pages_through_every_due_follow_up_exactly_once_in_order(limit: int) -> None:
    now = db_now()
    build(now)
    pages = all_pages(limit)
    assert all(0 < len(page) <= limit for page in pages)
    assert all(len(page) == limit for page in pages[:-1])
    assert [row for page in pages for row in page] == expected_rows(now)


@pytest.mark.parametrize("owner_id", ["rep-a", "rep-b", "nobody"])
def test_it_filters_and_pages_by_owner(owner_id: str) -> None:
    now = db_now()
    build(now)
    expected = expected_rows(now, owner_id=owner_id)
    assert pending_follow_ups(owner_id=owner_id) == expected
    assert [row for page in all_pages(2, owner_id=owner_id) for row in page] == expected


def test_it_drops_a_follow_up_once_it_is_decided() -> None:
    now = db_now()
    build(now)
    first = pending_follow_ups(limit=1)[0]
    LeadActivity.objects.filter(pk=first["activity_id"]).update(status=ActivityStatus.COMPLETED)
    rows = pending_follow_ups()
    assert first["activity_id"] not in {row["activity_id"] for row in rows}
    assert rows == expected_rows(now)


def test_it_follows_a_change_of_owner() -> None:
    now = db_now()
    build(now)
    moved = Assignment.objects.filter(owner_id="rep-b", status="active").first()
    Assignment.objects.filter(pk=moved.pk).update(status="reassigned")
    AssignmentFactory(lead=moved.lead, owner_id="rep-a", owner_name="Asha Rao")
    rows = pending_follow_ups(owner_id="rep-a")
    assert moved.lead_id in {row["lead_id"] for row in rows}
    assert rows == expected_rows(now, owner_id="rep-a")
