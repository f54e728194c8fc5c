"""Intake writes as the anon role: through intake_submit() only, and it learns no lead it did not create."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.roles import database_role

pytestmark = pytest.mark.django_db


def run_as_anon(sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with transaction.atomic(), database_role("anon"), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == ("anon",)
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, email FROM leads WHERE id = %s",
        "SELECT count(*) FROM leads WHERE id = %s",
        "UPDATE leads SET name = 'changed' WHERE id = %s RETURNING id",
        "SELECT product FROM lead_products WHERE lead_id = %s",
    ],
)
def test_it_refuses_anon_any_read_or_change_of_a_lead(sql: str) -> None:
    lead = LeadFactory()

    with pytest.raises(DatabaseError) as refused:
        run_as_anon(sql, [lead.id])

    assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert Lead.objects.get(id=lead.id).name == lead.name


@pytest.mark.parametrize("email", ["mixed.case@EXAMPLE.com", "nobody@example.com"])
def test_it_refuses_anon_the_lookup_of_todays_lead(email: str) -> None:
    LeadFactory(email="Mixed.Case@example.com")

    with pytest.raises(DatabaseError) as refused:
        run_as_anon("SELECT intake_todays_lead_id(%s)", [email])

    assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege)


def test_it_gives_anon_no_lead_id_for_a_resubmission_and_its_own_for_a_new_lead() -> None:
    today = LeadFactory(email="Mixed.Case@example.com")
    again = {
        "lead": {"name": "Someone", "email": "mixed.case@example.com", "source": "website_form"},
        "products": [],
        "resubmission": {"message": "again", "metadata": {"kind": "resubmission"}},
    }
    fresh = {**again, "lead": {**again["lead"], "email": "fresh@example.com"}}

    assert run_as_anon("SELECT lead_id, merged FROM intake_submit(%s::jsonb)", [json.dumps(again)]) == [(None, True)]
    [(new_id, merged)] = run_as_anon("SELECT lead_id, merged FROM intake_submit(%s::jsonb)", [json.dumps(fresh)])

    assert merged is False and Lead.objects.get(id=new_id).email == "fresh@example.com"
    assert today.activities.filter(type="note", metadata__kind="resubmission").count() == 1


def test_it_leaves_anon_no_setting_that_names_a_lead_it_did_not_create() -> None:
    LeadFactory(email="someone@example.com")
    again = {
        "lead": {"name": "Someone", "email": "someone@example.com", "source": "website_form"},
        "products": [],
        "resubmission": {"message": "again", "metadata": {"kind": "resubmission"}},
    }

    rows = run_as_anon(
        "SELECT lead_id, current_setting('leadsys.intake_lead_id') FROM intake_submit(%s::jsonb)", [json.dumps(again)]
    )

    assert rows == [(None, "")]
