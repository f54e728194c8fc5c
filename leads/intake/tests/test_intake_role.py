"""Intake writes as the anon role: it can insert and find today's lead id, and read nothing else."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

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


def test_it_lets_anon_find_only_the_id_of_todays_lead_for_an_email() -> None:
    today = LeadFactory(email="Mixed.Case@example.com")

    rows = run_as_anon("SELECT intake_todays_lead_id(%s)", ["mixed.case@EXAMPLE.com"])

    assert rows == [(today.id,)]  # one uuid, nothing else of the lead


def test_it_gives_anon_nothing_for_yesterdays_lead_or_an_unknown_email() -> None:
    LeadFactory(email="yesterday@example.com", created_at=timezone.now() - timedelta(days=1))

    assert run_as_anon("SELECT intake_todays_lead_id(%s)", ["yesterday@example.com"]) == [(None,)]
    assert run_as_anon("SELECT intake_todays_lead_id(%s)", ["nobody@example.com"]) == [(None,)]
