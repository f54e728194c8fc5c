"""Row-level security as each role sees it: anon submits through intake_submit(), authenticated reads and acts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory, FollowUpFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.models import Lead, LeadProduct
from leads.selectors import lead_full
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db

TABLES = ("leads", "lead_products", "lead_activity", "assignments")
ROLES = {"anon": "SET LOCAL ROLE anon", "authenticated": "SET LOCAL ROLE authenticated"}


def execute(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@contextmanager
def as_role(role: str) -> Iterator[None]:
    execute(ROLES[role])
    try:
        yield
    finally:
        execute("RESET ROLE")


def denied(sql: str, params: list[object] | None = None) -> None:
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        execute(sql, params)
    assert isinstance(caught.value.__cause__, psycopg.errors.InsufficientPrivilege), caught.value


@pytest.fixture
def lead() -> Lead:
    lead = LeadFactory()
    LeadProductFactory(lead=lead)
    AIResultFactory(lead=lead)
    FollowUpFactory(lead=lead)
    AssignmentFactory(lead=lead)
    return lead


def test_it_turns_row_level_security_on_for_all_four_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [list(TABLES)]
        )
        rows = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
    # Enabled, not forced: the table owner (Django's staff code) is not bound by it.
    assert rows == dict.fromkeys(TABLES, (True, False))


def test_it_lets_anon_submit_only_through_intake_submit_and_read_nothing_back() -> None:
    document = {
        "lead": {"name": "Priya Sharma", "email": "priya@example.com", "source": "website_form"},
        "products": [{"category": "Flooring", "product": "Laminate"}],
        "consent": {
            "message": "Accepted",
            "metadata": {"privacy_notice_version": "2026-01", "privacy_accepted_at": "2026-01-01T00:00:00Z",
                         "marketing_opt_in": False},
        },
    }  # fmt: skip
    with as_role("anon"):
        execute("SELECT FROM intake_submit(%s::jsonb)", [json.dumps(document)])
        denied("SELECT id FROM leads WHERE email = 'priya@example.com'")
    lead = Lead.objects.get(email="priya@example.com")
    assert (lead.status, lead.source) == ("new", "website_form")
    assert LeadProduct.objects.filter(lead=lead).count() == 1
    assert list(lead.activities.values_list("type", "actor_type")) == [("consent", "system")]


@pytest.mark.parametrize("table", ("leads", "lead_products", "lead_activity"))
def test_it_refuses_anon_any_direct_insert(table: str) -> None:
    lead_id = uuid.uuid4()
    columns = {
        "leads": ("INSERT INTO leads (id, name, email) VALUES (%s, 'Priya', 'p@example.com')", [lead_id]),
        "lead_products": ("INSERT INTO lead_products (lead_id, category, product) VALUES (%s, 'F', 'L')", [lead_id]),
        "lead_activity": ("INSERT INTO lead_activity (lead_id, type, message) VALUES (%s, 'note', 'x')", [lead_id]),
    }
    with as_role("anon"):
        denied(*columns[table])
        with pytest.raises(DatabaseError), transaction.atomic():
            Lead(id=lead_id, name="Priya Sharma", email="priya@example.com").save(force_insert=True)
    assert not Lead.objects.filter(id=lead_id).exists()


def test_it_refuses_anon_an_assignment() -> None:
    lead = LeadFactory()
    with as_role("anon"):
        denied("INSERT INTO assignments (lead_id, owner_id, sla_deadline) VALUES (%s, 'me', now())", [lead.id])
    assert not Assignment.objects.filter(lead=lead).exists()


@pytest.mark.parametrize("table", TABLES)
def test_it_refuses_anon_every_read_update_and_delete(lead: Lead, table: str) -> None:
    column = "id" if table == "leads" else "lead_id"
    before = execute(f"SELECT 1 FROM {table} WHERE {column} = %s", [lead.id])
    with as_role("anon"):
        # Table names come from TABLES above, never from input.
        denied(f"SELECT * FROM {table}")
        denied(f"UPDATE {table} SET id = id WHERE {column} = %s", [lead.id])
        denied(f"DELETE FROM {table} WHERE {column} = %s", [lead.id])
        denied("SELECT get_lead_full(%s)", [lead.id])
        with pytest.raises(DatabaseError), transaction.atomic():
            list(Lead.objects.all())
    assert execute(f"SELECT 1 FROM {table} WHERE {column} = %s", [lead.id]) == before


def test_it_lets_authenticated_read_everything(lead: Lead) -> None:
    with as_role("authenticated"):
        for table in TABLES:
            column = "id" if table == "leads" else "lead_id"
            assert execute(f"SELECT * FROM {table} WHERE {column} = %s", [lead.id]) >= 1
        assert Lead.objects.get(pk=lead.pk).email == lead.email


def test_it_lets_authenticated_update_a_status_and_an_assignment_but_not_source_data(lead: Lead) -> None:
    with as_role("authenticated"):
        assert execute("UPDATE leads SET status = 'contacted' WHERE id = %s", [lead.id]) == 1
        assert execute("UPDATE assignments SET owner_name = 'Ravi' WHERE lead_id = %s", [lead.id]) == 1
        denied("UPDATE lead_products SET quantity = '900 sq ft' WHERE lead_id = %s", [lead.id])
        for column, value in [
            ("email", "x@example.com"),
            ("message", "rewritten"),
            ("source", "partner"),
            ("created_at", "2020-01-01T00:00:00Z"),
            ("first_response_at", "2020-01-01T00:00:00Z"),
        ]:
            denied(f"UPDATE leads SET {column} = %s WHERE id = %s", [value, lead.id])  # columns from this list
        denied("UPDATE assignments SET sla_met = true WHERE lead_id = %s", [lead.id])
    stored = Lead.objects.get(id=lead.id)
    assert (stored.status, stored.email, stored.message) == ("contacted", lead.email, lead.message)
    assert stored.products.get().quantity == lead.products.get().quantity
    assert stored.assignments.get().owner_name == "Ravi"


def test_it_lets_authenticated_decide_a_pending_item_but_not_rewrite_an_event(lead: Lead) -> None:
    follow_up = lead.activities.get(type="follow_up")
    ai_result = lead.activities.get(type="ai_result")
    with as_role("authenticated"):
        assert execute("UPDATE lead_activity SET status = 'completed' WHERE id = %s", [follow_up.id]) == 1
        # The policy hides the completed event from UPDATE altogether: zero rows.
        assert execute("UPDATE lead_activity SET status = 'completed' WHERE id = %s", [ai_result.id]) == 0
        assert execute("UPDATE lead_activity SET status = 'cancelled' WHERE id = %s", [follow_up.id]) == 0
    assert LeadActivity.objects.get(pk=follow_up.pk).status == "completed"


@pytest.mark.parametrize("table", TABLES)
def test_it_refuses_authenticated_a_delete(lead: Lead, table: str) -> None:
    column = "id" if table == "leads" else "lead_id"
    with as_role("authenticated"):
        denied(f"DELETE FROM {table} WHERE {column} = %s", [lead.id])
    assert execute(f"SELECT 1 FROM {table} WHERE {column} = %s", [lead.id]) >= 1


def test_it_lets_authenticated_insert_what_staff_clients_record_as_themselves() -> None:
    lead_id = uuid.uuid4()
    with as_role("authenticated"):
        execute("SELECT set_config('app.user_id', '42', true)")
        execute("INSERT INTO leads (id, name, email) VALUES (%s, 'B', 'b@example.com')", [lead_id])
        execute("INSERT INTO assignments (lead_id, owner_id, sla_deadline) VALUES (%s, 'rep', now())", [lead_id])
        execute(
            "INSERT INTO lead_activity (lead_id, type, message, actor_type, actor_id) VALUES (%s, 'note', 'hi', 'user', '42')",
            [lead_id],
        )
    assert Assignment.objects.filter(lead_id=lead_id).count() == 1
    assert LeadActivity.objects.get(lead_id=lead_id).actor_id == "42"


def test_it_leaves_the_table_owner_unaffected(lead: Lead) -> None:
    assert execute("SELECT * FROM leads WHERE id = %s", [lead.id]) == 1
    assert execute("UPDATE leads SET status = 'qualified' WHERE id = %s", [lead.id]) == 1
    assert execute("DELETE FROM lead_products WHERE lead_id = %s", [lead.id]) == 1
    assert execute("DELETE FROM assignments WHERE lead_id = %s", [lead.id]) == 1
    assert execute("DELETE FROM leads WHERE id = %s", [lead.id]) == 1
    assert not LeadActivity.objects.filter(lead_id=lead.id).exists()


def test_it_answers_get_lead_full_for_authenticated(lead: Lead) -> None:
    as_owner = lead_full(lead_id=lead.id)
    with as_role("authenticated"):
        as_staff = lead_full(lead_id=lead.id)
        stats_ok = execute("SELECT get_dashboard_stats()") == 1
        due_ok = execute("SELECT * FROM get_pending_follow_ups()") >= 0
    assert as_staff == as_owner
    assert as_staff["lead"]["id"] == str(lead.id)
    assert len(as_staff["products"]) == 1 and len(as_staff["activities"]) == 2
    assert as_staff["current_assignment"]["lead_id"] == str(lead.id)
    assert stats_ok and due_ok


def test_it_refuses_anon_the_staff_functions() -> None:
    with as_role("anon"):
        denied("SELECT get_dashboard_stats()")
        denied("SELECT * FROM get_pending_follow_ups()")
