"""The leads list filtered by owner finds that owner's leads by the list columns' owner index.

The owner rule is kept per lead in lead_list_columns (assignments/migrations/0010); the filter
asks its owner index for the lead ids, so a rep with a handful of leads does not walk every
lead in time order to find them.
"""

from __future__ import annotations

import pytest
from django.db import connection

from leads.console.lead_filters import filtered_leads
from leadsys.roles import staff_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_leads(many_leads: None) -> None:
    """Every lead assigned (and completed) to one of 40 reps; rep 'rare' owns five."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assignments (lead_id, owner_id, owner_name, assigned_at, sla_deadline, status, completed_at) "
            "SELECT id, CASE WHEN n <= 5 THEN 'rare' ELSE (n % 40)::text END, 'Rep', created_at, "
            "created_at + interval '4 hours', 'completed', created_at + interval '1 hour' "
            "FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS n FROM leads) l"
        )
        cursor.execute("ANALYZE lead_list_columns")


def test_a_rare_owners_leads_come_from_the_owner_index(owned_leads: None) -> None:
    page = filtered_leads({"owner": "rare"}).values("id", "owner_id")[:50]
    sql, params = page.query.sql_with_params()
    with staff_role(user_id=1, is_manager=False), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        rows = list(page)

    assert "idx_lead_list_columns_owner" in plan, plan
    assert len(rows) == 5 and {row["owner_id"] for row in rows} == {"rare"}
