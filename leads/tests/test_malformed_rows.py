"""Malformed event rows written by raw SQL must not break any SQL function (SEED-NOTES #6).

Services validate metadata on write, so these rows can only come from raw SQL
(a BI tool, a hand-written fix, a restore). The append-only guard acts on
UPDATE and DELETE only and the CHECK constraints look at type and status, not
metadata, so plain INSERTs are enough: no trigger needs disabling.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from activity.models import LeadActivity
from activity.selectors import pending_follow_ups
from activity.tests.factories import AIResultFactory, ApprovalFactory, FollowUpFactory
from leads.models import Lead
from leads.selectors import dashboard_stats, lead_full
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BAD_FOLLOW_UP_METADATA: dict[str, Any] = {
    "not_a_date": {"action": "call", "scheduled_for": "next tuesday"},
    "impossible_date": {"action": "call", "scheduled_for": "2020-02-30T10:00:00Z"},
    "no_offset": {"action": "call", "scheduled_for": "2020-01-01T10:00:00"},
    "date_only": {"action": "call", "scheduled_for": "2020-01-01"},
    "number": {"action": "call", "scheduled_for": 1700000000},
    "object": {"action": 42, "scheduled_for": {"at": "2020-01-01T10:00:00Z"}},
    "missing": {"action": "call"},
    "array": [{"scheduled_for": "2020-01-01T10:00:00Z"}],
    "string": "2020-01-01T10:00:00Z",
    "json_null": None,
}


def db_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def insert_raw(*, lead: Lead, type: str, status: str, metadata: Any, at: datetime) -> uuid.UUID:
    """One event row as a SQL client would write it, with no validation."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO lead_activity (lead_id, type, status, message, metadata, created_at, updated_at)
               VALUES (%s, %s, %s, 'raw row', %s::jsonb, %s, %s) RETURNING id""",
            [lead.id, type, status, json.dumps(metadata), at, at],
        )
        return cursor.fetchone()[0]


def insert_sql_null_metadata(*, lead: Lead, at: datetime) -> uuid.UUID:
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO lead_activity (lead_id, type, status, message, metadata, created_at, updated_at)
               VALUES (%s, 'follow_up', 'pending', 'raw row', NULL, %s, %s) RETURNING id""",
            [lead.id, at, at],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def polluted() -> dict[str, Any]:
    """One good due follow-up and approval, and every malformed shape beside them."""
    now = db_now()
    lead = LeadFactory()
    good_follow_up = FollowUpFactory(lead=lead, scheduled_for=now - timedelta(hours=1))
    FollowUpFactory(lead=lead, scheduled_for=now + timedelta(minutes=30))  # due within the dashboard's hour
    good_approval = ApprovalFactory(lead=lead)
    AIResultFactory(lead=lead, created_at=now - timedelta(days=1))
    bad_ids = {
        name: insert_raw(lead=lead, type="follow_up", status="pending", metadata=metadata, at=now - timedelta(days=2))
        for name, metadata in BAD_FOLLOW_UP_METADATA.items()
    }
    bad_ids["sql_null"] = insert_sql_null_metadata(lead=lead, at=now - timedelta(days=2))
    bad_approval = insert_raw(lead=lead, type="approval", status="pending", metadata=[1, 2], at=now)
    insert_raw(lead=lead, type="ai_result", status="completed", metadata={"priority": 5, "intent": []}, at=now)
    insert_raw(lead=lead, type="status_change", status="completed", metadata=["contacted"], at=now)
    insert_raw(lead=lead, type="assignment", status="completed", metadata="rep-1", at=now)
    # A second lead with only bad rows: its newest ai_result is an array.
    other = LeadFactory()
    insert_raw(lead=other, type="ai_result", status="completed", metadata=["high"], at=now)
    insert_raw(lead=other, type="follow_up", status="pending", metadata=[], at=now)
    return {
        "now": now,
        "lead": lead,
        "other": other,
        "good_follow_up": good_follow_up,
        "good_approval": good_approval,
        "bad_follow_ups": bad_ids,
        "bad_approval": bad_approval,
    }


def test_it_stores_every_malformed_shape(polluted: dict[str, Any]) -> None:
    stored = LeadActivity.objects.filter(pk__in=polluted["bad_follow_ups"].values())
    assert stored.count() == len(BAD_FOLLOW_UP_METADATA) + 1


def test_dashboard_stats_counts_only_well_formed_due_follow_ups(polluted: dict[str, Any]) -> None:
    stats = dashboard_stats()
    # The two good follow-ups; the raw ones are not due, they are unreadable.
    assert stats["pending_follow_ups"] == 2
    assert stats["pending_approvals"] == LeadActivity.objects.filter(type="approval", status="pending").count()
    assert stats["pending_approvals"] == 2
    assert stats["total_leads"] == Lead.objects.count()


def test_pending_follow_ups_leaves_malformed_rows_out(polluted: dict[str, Any]) -> None:
    rows = pending_follow_ups()
    assert [row["activity_id"] for row in rows] == [polluted["good_follow_up"].id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT activity_id FROM get_pending_follow_ups()")
        assert cursor.fetchall() == [(polluted["good_follow_up"].id,)]


def test_pending_follow_ups_pages_past_malformed_rows(polluted: dict[str, Any]) -> None:
    first = pending_follow_ups(limit=1)
    assert len(first) == 1
    after = first[0]
    assert pending_follow_ups(limit=1, after_scheduled_for=after["scheduled_for"], after_id=after["activity_id"]) == []


def test_lead_full_lists_malformed_rows_after_the_readable_ones(polluted: dict[str, Any]) -> None:
    lead = polluted["lead"]
    data = lead_full(lead_id=lead.id)
    assert data is not None
    assert {item["id"] for item in data["activities"]} == {
        str(pk) for pk in LeadActivity.objects.filter(lead=lead).values_list("id", flat=True)
    }
    pending = [item["id"] for item in data["pending_follow_ups"]]
    pending_due_order = sorted(
        LeadActivity.objects.filter(lead=lead, type="follow_up", status="pending").exclude(
            pk__in=polluted["bad_follow_ups"].values()
        ),
        key=lambda a: datetime.fromisoformat(a.metadata["scheduled_for"]),
    )
    # Readable times first in due order, then the unreadable ones (NULLS LAST).
    assert pending[:2] == [str(a.id) for a in pending_due_order]
    assert set(pending[2:]) == {str(pk) for pk in polluted["bad_follow_ups"].values()}
    assert {item["id"] for item in data["pending_approvals"]} == {
        str(polluted["good_approval"].id),
        str(polluted["bad_approval"]),
    }
    # The newest ai_result is returned as stored, wrong shape and all.
    assert data["ai_analysis"] == {"priority": 5, "intent": []}


def test_lead_full_answers_for_a_lead_with_only_malformed_rows(polluted: dict[str, Any]) -> None:
    data = lead_full(lead_id=polluted["other"].id)
    assert data is not None
    assert data["ai_analysis"] == ["high"]
    assert len(data["pending_follow_ups"]) == 1
    assert data["pending_follow_ups"][0]["metadata"] == []


def test_health_stays_healthy(polluted: dict[str, Any], client: Client, settings: Any) -> None:
    settings.HEALTH_TOKEN = "monitor-token"
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")  # a live worker's heartbeat
    response = client.get("/health/", HTTP_AUTHORIZATION="Bearer monitor-token")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert response.json()["database_stats"] == dashboard_stats()
