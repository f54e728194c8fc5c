"""Marking returning contacts stays an index lookup per row under row-level security.

As `authenticated` (every staff request) lower(email) cannot use its index, so the mark
scanned every earlier lead for each row of a page (13 s for the console list at a million
leads). It now asks lead_ids_by_email() (leads/migrations/0019) for the ids.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import Lead
from leads.selectors import earlier_enquiries, with_returning
from leads.tests.factories import LeadFactory
from leadsys.roles import staff_role

pytestmark = pytest.mark.django_db


def plan_as_staff(sql: str, params: object) -> str:
    with staff_role(user_id=1, is_manager=False), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_returning_mark_of_a_page_reads_earlier_leads_by_id(many_leads: None) -> None:
    page = with_returning(Lead.objects.order_by("-created_at", "-id")).values("id", "returning")[:50]
    sql, params = page.query.sql_with_params()

    plan = plan_as_staff(sql, params)

    assert "lead_ids_by_email" in plan, plan
    # One scan of leads only: the page's own index range; earlier leads are found by id.
    assert "Seq Scan on leads" not in plan, plan
    assert "Bitmap Heap Scan on leads p" not in plan, plan


def test_earlier_enquiries_are_found_as_staff_by_any_case_of_the_email() -> None:
    first = LeadFactory(email="Asha.Rao@Example.com", created_at=timezone.now() - timedelta(days=3))
    later = LeadFactory(email="asha.rao@example.com")
    stranger = LeadFactory(email="someone@example.com")

    with staff_role(user_id=1, is_manager=True):
        found = earlier_enquiries(email=later.email, phone=None, before=later.created_at)
        marks = dict(with_returning(Lead.objects.all()).values_list("id", "returning"))

    assert [row["id"] for row in found] == [first.id]
    assert marks == {first.id: False, later.id: True, stranger.id: False}
