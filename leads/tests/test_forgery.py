"""The forgeries of issue "an audit trail nobody can forge", each tried as the role that would try it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from activity.models import LeadActivity
from assignments.services import lead_contact_update
from assignments.tests.staff import make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db


@contextmanager
def as_role(role: str, user_id: str | None = None) -> Iterator[Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")  # from this module's calls only
        if user_id:
            cursor.execute("SELECT set_config('app.user_id', %s, true)", [user_id])
        yield cursor


def refused(role: str, sql: str, params: list[object], *, user_id: str | None = None) -> BaseException:
    with pytest.raises(DatabaseError) as caught, as_role(role, user_id) as cursor:
        cursor.execute(sql, params)
    return caught.value.__cause__


def submission(**lead: str) -> str:
    base = {"name": "Priya Sharma", "email": "priya@example.com", "source": "website_form"}
    return json.dumps({"lead": {**base, **lead}, "products": [], "consent": None})


EVENT = "INSERT INTO lead_activity (lead_id, type, status, message, actor_type, actor_id, created_at, metadata) "


@pytest.mark.parametrize(
    ("values", "why"),
    [
        ("VALUES (%s, 'approval', 'approved', 'ok', 'user', '7', now(), '{}')", "an approval already decided"),
        ("VALUES (%s, 'call', 'completed', 'called', 'user', '7', now() - interval '1 day', '{}')", "a backdated call"),
        ("VALUES (%s, 'ai_result', 'completed', 'spam', 'ai', NULL, now(), '{\"priority\": \"low\"}')", "an AI result"),
        ("VALUES (%s, 'note', 'completed', 'hi', 'user', '8', now(), '{}')", "a note in another person's name"),
        ("VALUES (%s, 'sla_breach', 'completed', 'x', 'system', NULL, now(), '{}')", "a system event"),
    ],
)
@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_it_refuses_a_forged_event(role: str, values: str, why: str) -> None:
    lead = LeadFactory()

    error = refused(role, EVENT + values, [lead.id], user_id="7")

    assert isinstance(error, psycopg.errors.InsufficientPrivilege), why
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_lets_a_person_record_their_own_call_now() -> None:
    lead = LeadFactory()
    with as_role("authenticated", user_id="7") as cursor:
        cursor.execute(EVENT + "VALUES (%s, 'call', 'completed', 'called', 'user', '7', now(), '{}')", [lead.id])
    assert LeadActivity.objects.get(lead=lead).actor_id == "7"


@pytest.mark.parametrize(
    ("lead", "error"),
    [
        ({"email": "not-an-email"}, psycopg.errors.CheckViolation),
        ({"email": "x" * 65 + "@example.com"}, psycopg.errors.CheckViolation),
        ({"source": "partner"}, psycopg.errors.InsufficientPrivilege),
        ({"name": " "}, psycopg.errors.CheckViolation),
    ],
)
def test_it_refuses_anon_a_forged_submission(lead: dict[str, str], error: type) -> None:
    caught = refused("anon", "SELECT FROM intake_submit(%s::jsonb)", [submission(**lead)])
    assert isinstance(caught, error)
    assert not Lead.objects.exists()


def test_it_writes_status_new_whatever_the_document_says_and_a_token_caller_may_name_a_source() -> None:
    document = json.loads(submission(source="partner"))
    document["lead"]["status"] = "converted"
    with as_role("authenticated") as cursor:
        cursor.execute("SELECT lead_id FROM intake_submit(%s::jsonb)", [json.dumps(document)])
    lead = Lead.objects.get(email="priya@example.com")
    assert (lead.status, lead.source) == ("new", "partner")


@pytest.mark.parametrize("role", ["anon", "authenticated", None])
def test_it_refuses_a_contact_change_without_its_event(role: str | None) -> None:
    lead = LeadFactory(phone="+919812345678")
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        if role:
            cursor.execute(f"SET LOCAL ROLE {role}")  # from the parameters above
        cursor.execute("UPDATE leads SET phone = '+910000000000' WHERE id = %s", [lead.id])
    assert isinstance(caught.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert Lead.objects.get(id=lead.id).phone == "+919812345678"


def test_it_changes_contact_details_through_the_service_with_from_and_to() -> None:
    rep = make_rep()
    lead = LeadFactory(phone="+919812345678", company="Old Co")

    event = lead_contact_update(lead_id=lead.id, actor=rep, changes={"phone": "98123 45679", "company": "New Co"})

    stored = Lead.objects.get(id=lead.id)
    assert (stored.phone, stored.company, stored.email) == ("+919812345679", "New Co", lead.email)
    assert event.metadata["changes"] == {
        "phone": {"from": "+919812345678", "to": "+919812345679"},
        "company": {"from": "Old Co", "to": "New Co"},
    }
    assert (event.actor_type, event.actor_id) == ("user", str(rep.id))


@pytest.mark.parametrize(
    ("changes", "field"), [({"email": "a@b.co"}, "email"), ({"phone": "12"}, "phone"), ({"name": "x"}, "name")]
)
def test_it_refuses_a_bad_contact_change_and_writes_nothing(changes: dict[str, str], field: str) -> None:
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        lead_contact_update(lead_id=lead.id, actor=make_rep(), changes=changes)
    assert caught.value.field == field
    assert not LeadActivity.objects.filter(lead=lead).exists()
