"""The schema's rules, held by the database itself: raw SQL meets the same wall as the ORM."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from activity.tests.factories import ActivityFactory, AIResultFactory, FollowUpFactory
from assignments.models import Assignment, AssignmentStatus
from assignments.tests.factories import AssignmentFactory
from leads.models import MESSAGE_MAX_LENGTH, Lead, LeadProduct, LeadStatus
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)
OLD = datetime(2020, 1, 1, 12, 0, tzinfo=ZONE)


def execute(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params: list[object] | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def check_violation(sql: str, params: list[object]) -> str:
    """Run a statement that must break a CHECK constraint; return the constraint's name."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        execute(sql, params)
    assert isinstance(caught.value.__cause__, psycopg.errors.CheckViolation)
    return caught.value.__cause__.diag.constraint_name


INSERT_ACTIVITY = """
INSERT INTO lead_activity (lead_id, type, status, message, actor_type, metadata)
VALUES (%s, %s, %s, 'raw', %s, '{}'::jsonb)
"""
INSERT_ASSIGNMENT = """
INSERT INTO assignments (lead_id, owner_id, sla_deadline, status) VALUES (%s, 'rep', now(), %s)
"""


@pytest.mark.parametrize("status", LeadStatus.values)
def test_it_accepts_every_lead_status(status: str) -> None:
    lead = LeadFactory()
    assert execute("UPDATE leads SET status = %s WHERE id = %s", [status, lead.id]) == 1


def test_it_refuses_an_unknown_lead_status() -> None:
    lead = LeadFactory()
    assert check_violation("UPDATE leads SET status = 'archived' WHERE id = %s", [lead.id]) == "leads_status_valid"
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status="archived")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_it_stores_a_message_up_to_the_backstop_and_refuses_one_over_it() -> None:
    lead = LeadFactory()
    update = "UPDATE leads SET message = repeat('m', %s) WHERE id = %s"

    assert execute(update, [MESSAGE_MAX_LENGTH, lead.id]) == 1  # 100 times the old 10,000 cap
    assert check_violation(update, [MESSAGE_MAX_LENGTH + 1, lead.id]) == "leads_message_length"
    lead.refresh_from_db()
    assert len(lead.message) == MESSAGE_MAX_LENGTH


@pytest.mark.parametrize("activity_type", ActivityType.values)
def test_it_accepts_every_activity_type(activity_type: str) -> None:
    lead = LeadFactory()
    status = "pending" if activity_type in ("follow_up", "approval") else "completed"
    assert execute(INSERT_ACTIVITY, [lead.id, activity_type, status, "system"]) == 1


def test_it_refuses_an_unknown_activity_type() -> None:
    lead = LeadFactory()
    name = check_violation(INSERT_ACTIVITY, [lead.id, "fax", "completed", "system"])
    assert name == "lead_activity_type_valid"
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_refuses_an_unknown_activity_status() -> None:
    lead = LeadFactory()
    name = check_violation(INSERT_ACTIVITY, [lead.id, "note", "archived", "system"])
    assert name in {"lead_activity_status_valid", "lead_activity_status_fits_type"}


FITS = [
    ("follow_up", ["pending", "completed", "cancelled"], ["approved", "rejected", "failed"]),
    ("approval", ["pending", "approved", "rejected"], ["completed", "cancelled", "failed"]),
    ("email", ["completed", "failed"], ["pending", "approved"]),
    ("note", ["completed"], ["pending", "failed", "approved"]),
    ("ai_result", ["completed"], ["pending", "failed"]),
]


@pytest.mark.parametrize(("activity_type", "allowed", "refused"), FITS)
def test_it_only_accepts_statuses_that_fit_the_type(activity_type: str, allowed: list[str], refused: list[str]) -> None:
    lead = LeadFactory()
    for status in allowed:
        assert status in ActivityStatus.values
        assert execute(INSERT_ACTIVITY, [lead.id, activity_type, status, "system"]) == 1
    for status in refused:
        name = check_violation(INSERT_ACTIVITY, [lead.id, activity_type, status, "system"])
        assert name == "lead_activity_status_fits_type"
    assert LeadActivity.objects.filter(lead=lead).count() == len(allowed)


def test_it_checks_the_actor_type() -> None:
    lead = LeadFactory()
    for actor_type in ActorType.values:
        assert execute(INSERT_ACTIVITY, [lead.id, "note", "completed", actor_type]) == 1
    name = check_violation(INSERT_ACTIVITY, [lead.id, "note", "completed", "robot"])
    assert name == "lead_activity_actor_type_valid"


def test_it_checks_the_assignment_status() -> None:
    for status in AssignmentStatus.values:
        assert execute(INSERT_ASSIGNMENT, [LeadFactory().id, status]) == 1
    lead = LeadFactory()
    assert check_violation(INSERT_ASSIGNMENT, [lead.id, "closed"]) == "assignments_status_valid"
    assert not Assignment.objects.filter(lead=lead).exists()


def local(day: datetime, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONE)


def refuse_duplicate(**kwargs: object) -> None:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        LeadFactory(**kwargs)
    assert isinstance(caught.value.__cause__, psycopg.errors.UniqueViolation)
    assert caught.value.__cause__.diag.constraint_name == "leads_email_business_date_key"


def test_it_refuses_a_second_lead_for_the_same_email_in_any_case_on_one_business_day() -> None:
    day = datetime(2026, 3, 10)
    LeadFactory(email="A@x.com", created_at=local(day, 10, 0))
    refuse_duplicate(email="a@x.com", created_at=local(day, 20, 0))
    refuse_duplicate(email="A@X.COM", created_at=local(day, 10, 0))
    assert Lead.objects.filter(email__iexact="a@x.com").count() == 1
    # Another address on the same day is a different lead.
    LeadFactory(email="b@x.com", created_at=local(day, 10, 0))


def test_it_allows_the_same_email_again_on_the_next_business_day() -> None:
    day = datetime(2026, 3, 10)
    before_midnight = local(day, 23, 59, 59)
    after_midnight = local(day + timedelta(days=1), 0, 0, 1)
    LeadFactory(email="A@x.com", created_at=before_midnight)
    LeadFactory(email="a@x.com", created_at=after_midnight)
    assert Lead.objects.filter(email__iexact="a@x.com").count() == 2


def test_it_uses_the_business_date_not_the_utc_date() -> None:
    day = datetime(2026, 3, 11)
    just_after_midnight = local(day, 0, 0, 1)
    late_evening = local(day, 23, 59, 0)
    if settings.TIME_ZONE != "UTC":
        # Same business day, two UTC dates: the UTC date would let both through.
        assert just_after_midnight.astimezone(ZoneInfo("UTC")).date() != late_evening.astimezone(ZoneInfo("UTC")).date()
    LeadFactory(email="a@x.com", created_at=just_after_midnight)
    refuse_duplicate(email="A@x.com", created_at=late_evening)


def test_it_ignores_the_session_time_zone_for_the_business_date() -> None:
    day = datetime(2026, 3, 10)
    execute("SET LOCAL TIME ZONE 'America/Los_Angeles'")
    LeadFactory(email="a@x.com", created_at=local(day, 0, 30))
    refuse_duplicate(email="a@x.com", created_at=local(day, 23, 30))
    LeadFactory(email="a@x.com", created_at=local(day + timedelta(days=1), 0, 30))


def build_lead_with_everything() -> Lead:
    lead = LeadFactory()
    LeadProductFactory.create_batch(2, lead=lead)
    ActivityFactory(lead=lead)
    AIResultFactory(lead=lead)
    FollowUpFactory(lead=lead)
    AssignmentFactory(lead=lead, completed=True)
    return lead


def test_it_cascades_a_raw_delete_of_a_lead_in_the_database() -> None:
    doomed, kept = build_lead_with_everything(), build_lead_with_everything()
    assert execute("DELETE FROM leads WHERE id = %s", [doomed.id]) == 1
    for model in (LeadProduct, LeadActivity, Assignment):
        assert not model.objects.filter(lead_id=doomed.id).exists()
        assert model.objects.filter(lead_id=kept.id).exists()
    assert Lead.objects.filter(pk=kept.pk).exists()


def test_it_cascades_an_orm_delete_too() -> None:
    lead = build_lead_with_everything()
    lead.delete()
    for model in (LeadProduct, LeadActivity, Assignment):
        assert not model.objects.filter(lead_id=lead.id).exists()


def test_it_declares_every_lead_foreign_key_on_delete_cascade() -> None:
    rows = fetch(
        """SELECT conrelid::regclass::text, confdeltype FROM pg_constraint
           WHERE contype = 'f' AND confrelid = 'leads'::regclass ORDER BY 1"""
    )
    by_table = dict(rows)
    for table in ("assignments", "lead_activity", "lead_products"):
        assert by_table[table] == "c"


def test_it_maintains_updated_at_in_the_database() -> None:
    lead, untouched = LeadFactory(created_at=OLD), LeadFactory(created_at=OLD)
    (now,) = fetch("SELECT now()")[0]
    # A writer that tries to set updated_at itself is overruled.
    execute("UPDATE leads SET status = 'contacted', updated_at = '1999-01-01' WHERE id = %s", [lead.id])
    lead.refresh_from_db()
    untouched.refresh_from_db()
    assert lead.updated_at == now
    assert untouched.updated_at == OLD

    lead.updated_at = OLD
    lead.status = LeadStatus.QUALIFIED
    lead.save()
    lead.refresh_from_db()
    assert lead.updated_at == now


def test_it_maintains_updated_at_of_a_decided_event() -> None:
    follow_up = FollowUpFactory(created_at=OLD)
    assert follow_up.updated_at == OLD
    (now,) = fetch("SELECT now()")[0]
    LeadActivity.objects.filter(pk=follow_up.pk).update(status="completed")
    follow_up.refresh_from_db()
    assert follow_up.updated_at == now
    assert follow_up.created_at == OLD


TIME_COLUMNS = {
    "leads": {"created_at", "updated_at", "first_response_at", "last_contact_at", "conversion_date"},
    "lead_products": {"created_at"},
    "lead_activity": {"created_at", "updated_at"},
    "assignments": {"assigned_at", "sla_deadline", "completed_at"},
}


def test_it_stores_every_time_as_timestamptz() -> None:
    rows = fetch(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = ANY(%s)
             AND (data_type LIKE 'timestamp%%' OR data_type LIKE 'time %%' OR data_type = 'date')""",
        [list(TIME_COLUMNS)],
    )
    found: dict[str, set[str]] = {table: set() for table in TIME_COLUMNS}
    for table, column, data_type in rows:
        assert data_type == "timestamp with time zone", f"{table}.{column} is {data_type}"
        found[table].add(column)
    assert found == TIME_COLUMNS


def test_it_gives_raw_inserts_database_defaults() -> None:
    lead_id = uuid.uuid4()
    execute("INSERT INTO leads (id, name, email) VALUES (%s, 'Raw', 'raw@example.com')", [lead_id])
    lead = Lead.objects.get(pk=lead_id)
    assert (lead.status, lead.source) == ("new", "website_form")
    assert lead.created_at is not None and lead.updated_at == lead.created_at
