"""get_lead_full(uuid) through leads.selectors.lead_full(): every key against the ORM.

Expected values are built here from the ORM rows (re-read after every write,
so trigger-set columns are the stored ones) and the plan's ordering rules,
never from the function's own output.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.utils import timezone

from activity.models import ActivityStatus, LeadActivity
from activity.tests.factories import (
    ActivityFactory,
    AIResultFactory,
    ApprovalFactory,
    EmailFactory,
    FollowUpFactory,
    StatusChangeFactory,
)
from assignments.models import Assignment, AssignmentStatus
from assignments.tests.factories import AssignmentFactory
from leads.models import Lead, LeadProduct
from leads.selectors import lead_full
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db

PLAN_KEYS = {
    "lead",
    "products",
    "current_assignment",
    "ai_analysis",
    "activities",
    "pending_follow_ups",
    "pending_approvals",
}
# Ours on top of the plan's: the lead's assignment history.
OUR_KEYS = PLAN_KEYS | {"assignments"}

T0 = timezone.now().replace(microsecond=0) - timedelta(days=3)


def row(obj: models.Model) -> dict[str, Any]:
    """A model row keyed by column name, as row_to_json() names them."""
    return {field.column: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def parsed(model: type[models.Model], data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row_to_json() object with its times and ids turned back into Python values."""
    if data is None:
        return None
    fields = {field.column: field for field in model._meta.concrete_fields}
    out: dict[str, Any] = {}
    for column, value in data.items():
        field = fields[column]  # a column the model does not know fails here
        target = field.target_field if field.is_relation else field
        if value is not None and isinstance(target, models.DateTimeField):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(target, models.UUIDField):
            value = uuid.UUID(value)
        out[column] = value
    return out


def parsed_list(model: type[models.Model], data: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    return [parsed(model, item) for item in data]


def scheduled(activity: LeadActivity) -> datetime:
    return datetime.fromisoformat(activity.metadata["scheduled_for"])


def newest_first(items: list[Any], key: str) -> list[Any]:
    """Newest first, ties broken by id descending (the SQL's ORDER BY key DESC, id DESC)."""
    return sorted(items, key=lambda item: (getattr(item, key), item.id), reverse=True)


def expected_for(lead: Lead) -> dict[str, Any]:
    products = sorted(LeadProduct.objects.filter(lead=lead), key=lambda p: (p.created_at, p.id))
    activities = list(LeadActivity.objects.filter(lead=lead))
    assignments = sorted(Assignment.objects.filter(lead=lead), key=lambda a: a.id)
    assignments.sort(key=lambda a: a.assigned_at, reverse=True)  # stable: ties keep id ascending
    active = [a for a in assignments if a.status == AssignmentStatus.ACTIVE]
    ai_results = newest_first([a for a in activities if a.type == "ai_result"], "created_at")
    follow_ups = sorted(
        [a for a in activities if a.type == "follow_up" and a.status == ActivityStatus.PENDING],
        key=lambda a: (scheduled(a), a.created_at, a.id),
    )
    approvals = newest_first(
        [a for a in activities if a.type == "approval" and a.status == ActivityStatus.PENDING], "created_at"
    )
    return {
        "lead": row(Lead.objects.get(pk=lead.pk)),
        "products": [row(p) for p in products],
        "current_assignment": row(active[0]) if active else None,
        "assignments": [row(a) for a in assignments],
        "ai_analysis": ai_results[0].metadata if ai_results else None,
        "activities": [row(a) for a in newest_first(activities, "created_at")],
        "pending_follow_ups": [row(a) for a in follow_ups],
        "pending_approvals": [row(a) for a in approvals],
    }


def actual_for(lead: Lead) -> dict[str, Any]:
    data = lead_full(lead_id=lead.id)
    assert data is not None
    assert set(data) == OUR_KEYS
    return {
        "lead": parsed(Lead, data["lead"]),
        "products": parsed_list(LeadProduct, data["products"]),
        "current_assignment": parsed(Assignment, data["current_assignment"]),
        "assignments": parsed_list(Assignment, data["assignments"]),
        "ai_analysis": data["ai_analysis"],
        "activities": parsed_list(LeadActivity, data["activities"]),
        "pending_follow_ups": parsed_list(LeadActivity, data["pending_follow_ups"]),
        "pending_approvals": parsed_list(LeadActivity, data["pending_approvals"]),
    }


def build_busy_lead() -> Lead:
    """A lead with rows in every list, inserted out of order, with ties on time."""
    lead = LeadFactory(created_at=T0)
    LeadProductFactory(lead=lead, created_at=T0 + timedelta(minutes=5))
    LeadProductFactory(lead=lead, created_at=T0 + timedelta(minutes=1))
    LeadProductFactory.create_batch(2, lead=lead, created_at=T0 + timedelta(minutes=3))

    AIResultFactory(lead=lead, created_at=T0 + timedelta(minutes=2), metadata__priority="low")
    AIResultFactory(lead=lead, created_at=T0 + timedelta(minutes=1), metadata__priority="high")
    # Scheduled order differs from creation order; two share a due time.
    FollowUpFactory(lead=lead, created_at=T0 + timedelta(minutes=4), scheduled_for=T0 + timedelta(days=2))
    FollowUpFactory(lead=lead, created_at=T0 + timedelta(minutes=6), scheduled_for=T0 + timedelta(hours=5))
    FollowUpFactory.create_batch(
        2, lead=lead, created_at=T0 + timedelta(minutes=7), scheduled_for=T0 + timedelta(days=1)
    )
    FollowUpFactory(lead=lead, created_at=T0 + timedelta(minutes=8), status=ActivityStatus.COMPLETED)
    ApprovalFactory(lead=lead, created_at=T0 + timedelta(minutes=9))
    ApprovalFactory.create_batch(2, lead=lead, created_at=T0 + timedelta(minutes=2))
    ApprovalFactory(lead=lead, created_at=T0 + timedelta(minutes=10), status=ActivityStatus.APPROVED)
    EmailFactory(lead=lead, created_at=T0 + timedelta(minutes=3))
    StatusChangeFactory(lead=lead, created_at=T0 + timedelta(minutes=11))
    ActivityFactory.create_batch(2, lead=lead, created_at=T0 + timedelta(minutes=12))

    AssignmentFactory(lead=lead, assigned_at=T0 + timedelta(minutes=1), completed=True, status="reassigned")
    AssignmentFactory(lead=lead, assigned_at=T0 + timedelta(minutes=20))
    AssignmentFactory(lead=lead, assigned_at=T0 + timedelta(minutes=20), completed=True)
    return lead


def test_it_returns_none_for_an_unknown_lead() -> None:
    LeadFactory()
    assert lead_full(lead_id=uuid.uuid4()) is None


def test_it_returns_empty_lists_not_null_for_a_lead_with_nothing_yet() -> None:
    lead = LeadFactory()
    actual = actual_for(lead)
    assert actual == expected_for(lead)
    for key in ("products", "assignments", "activities", "pending_follow_ups", "pending_approvals"):
        assert actual[key] == []
    assert actual["current_assignment"] is None
    assert actual["ai_analysis"] is None


def test_it_returns_every_key_of_a_busy_lead_in_the_plan_order() -> None:
    lead = build_busy_lead()
    actual = actual_for(lead)
    expected = expected_for(lead)
    for key in OUR_KEYS:
        assert actual[key] == expected[key], key
    # The sample is big enough for each ordering rule to matter.
    assert len(actual["products"]) == 4
    assert len(actual["activities"]) == 15
    assert len(actual["pending_follow_ups"]) == 4
    assert len(actual["pending_approvals"]) == 3
    assert actual["ai_analysis"]["priority"] == "low"


def test_it_keeps_other_leads_rows_out() -> None:
    lead = build_busy_lead()
    other = build_busy_lead()
    actual = actual_for(lead)
    assert actual == expected_for(lead)
    other_ids = set(LeadActivity.objects.filter(lead=other).values_list("id", flat=True))
    assert not other_ids & {item["id"] for item in actual["activities"]}
    assert {item["lead_id"] for item in actual["products"]} == {lead.id}


def test_it_follows_a_decided_follow_up_and_a_new_owner() -> None:
    lead = build_busy_lead()
    first_due = min(
        LeadActivity.objects.filter(lead=lead, type="follow_up", status="pending"), key=lambda a: scheduled(a)
    )
    LeadActivity.objects.filter(pk=first_due.pk).update(status=ActivityStatus.CANCELLED)
    Assignment.objects.filter(lead=lead, status="active").update(status="reassigned")
    AssignmentFactory(lead=lead, owner_id="rep-new", assigned_at=T0 + timedelta(hours=1))

    actual = actual_for(lead)
    assert actual == expected_for(lead)
    assert first_due.id not in {item["id"] for item in actual["pending_follow_ups"]}
    assert actual["current_assignment"]["owner_id"] == "rep-new"


def test_it_returns_times_as_timestamptz_with_an_offset() -> None:
    lead = build_busy_lead()
    data = lead_full(lead_id=lead.id)
    assert data is not None
    stamps = [data["lead"]["created_at"], data["current_assignment"]["sla_deadline"]]
    stamps += [item["created_at"] for item in data["activities"]]
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() is not None, stamp


def test_it_answers_the_plans_own_call() -> None:
    lead = build_busy_lead()
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_lead_full(%s)", [lead.id])
        (data,) = cursor.fetchone()
    assert set(data) == OUR_KEYS
    assert parsed(Lead, data["lead"]) == expected_for(lead)["lead"]
