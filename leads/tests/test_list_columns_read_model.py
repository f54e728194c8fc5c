"""lead_list_columns (a lead's categories and owner, kept by trigger) against the rules computed from the tables."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assignments.models import Assignment, AssignmentStatus
from assignments.tests.factories import AssignmentFactory
from leads.console.lead_filters import UNASSIGNED, filtered_leads, with_categories
from leads.models import Lead, LeadProduct
from leads.tests.factories import CATEGORIES, LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db

# The rules straight from the tables: what the read model must always agree with.
BRUTE_FORCE = """
SELECT l.id,
  (SELECT string_agg(DISTINCT lp.category, ', ') FROM lead_products lp WHERE lp.lead_id = l.id),
  o.id, o.owner_id, o.owner_name
FROM leads l
LEFT JOIN LATERAL (
  SELECT a.id, a.owner_id, a.owner_name FROM assignments a
  WHERE a.lead_id = l.id AND a.status IN ('active', 'completed')
  ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1
) o ON true
"""
KEPT = """
SELECT l.id, c.categories, c.owner_assignment_id, c.owner_id, c.owner_name
FROM leads l LEFT JOIN lead_list_columns c ON c.lead_id = l.id
"""


def rows(sql: str) -> dict[object, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {lead_id: tuple(rest) for lead_id, *rest in cursor.fetchall()}


def kept_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lead_list_columns")
        return cursor.fetchone()[0]


def generated_history(rng: random.Random) -> list[Lead]:
    start = timezone.now() - timedelta(days=10)
    leads = [LeadFactory() for _ in range(40)]
    for lead in leads:
        for _ in range(rng.randrange(0, 4)):
            LeadProductFactory(lead=lead, category=rng.choice(CATEGORIES))
        for turn in range(rng.randrange(0, 4)):  # never assigned, once, reassigned, completed
            status = rng.choice((AssignmentStatus.COMPLETED, AssignmentStatus.REASSIGNED))
            AssignmentFactory(lead=lead, assigned_at=start + timedelta(hours=turn), status=status)
        if rng.random() < 0.5:
            AssignmentFactory(lead=lead, assigned_at=start + timedelta(hours=5))
    return leads


def change_things(rng: random.Random, leads: list[Lead]) -> None:
    """What the product and the admin do to these rows afterwards, in bulk and one by one."""
    for assignment in Assignment.objects.filter(lead__in=rng.sample(leads, 10)):
        # (one active assignment a lead: an active one closes, a closed one changes its kind)
        assignment.status = rng.choice((AssignmentStatus.COMPLETED, AssignmentStatus.REASSIGNED))
        assignment.owner_name = f"Renamed {assignment.owner_name}"
        assignment.save()
    Assignment.objects.filter(lead__in=rng.sample(leads, 5), status=AssignmentStatus.COMPLETED).update(
        status=AssignmentStatus.REASSIGNED
    )
    Assignment.objects.filter(lead__in=rng.sample(leads, 3)).delete()
    LeadProduct.objects.filter(lead__in=rng.sample(leads, 5)).delete()
    moved = LeadProduct.objects.filter(lead__in=rng.sample(leads, 5)).first()
    if moved:  # a product moved to another lead changes both
        moved.lead = rng.choice(leads)
        moved.save()
    LeadProduct.objects.filter(lead__in=rng.sample(leads, 5)).update(category="Lighting")
    # A reassignment to another lead (only the admin does that)
    other = Assignment.objects.filter(lead__in=rng.sample(leads, 3)).exclude(status=AssignmentStatus.ACTIVE).first()
    if other:
        other.lead = rng.choice([lead for lead in leads if not lead.assignments.filter(status="active").exists()])
        other.save()
    Lead.objects.filter(id__in=[lead.id for lead in rng.sample(leads, 4)]).delete()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_agrees_with_the_rules_through_inserts_updates_moves_and_deletes(seed: int) -> None:
    rng = random.Random(seed)
    leads = generated_history(rng)
    assert rows(KEPT) == rows(BRUTE_FORCE)

    change_things(rng, leads)

    expected = rows(BRUTE_FORCE)
    assert len(expected) == 36  # four leads were deleted
    assert rows(KEPT) == expected
    assert kept_rows() <= 36  # a deleted lead leaves no row behind


def test_the_list_and_the_export_read_the_kept_owner_and_categories() -> None:
    lead = LeadFactory()
    LeadProductFactory(lead=lead, category="Wall")
    LeadProductFactory(lead=lead, category="Flooring")
    LeadProductFactory(lead=lead, category="Wall")
    AssignmentFactory(lead=lead, owner_id="7", owner_name="Asha Rao", status=AssignmentStatus.COMPLETED)
    AssignmentFactory(
        lead=lead,
        owner_id="8",
        owner_name="Later, but handed on",
        status=AssignmentStatus.REASSIGNED,
        assigned_at=timezone.now() + timedelta(minutes=1),
    )

    row = with_categories(filtered_leads({})).values("owner_id", "owner_name", "categories").get(id=lead.id)

    assert row == {"owner_id": "7", "owner_name": "Asha Rao", "categories": "Flooring, Wall"}
    assert list(filtered_leads({"owner": "7"}).values_list("id", flat=True)) == [lead.id]
    assert not filtered_leads({"owner": "8"}).exists()  # reassigned away: no longer the owner
    waiting = LeadFactory()
    assert list(filtered_leads({"owner": UNASSIGNED}).values_list("id", flat=True)) == [waiting.id]


def test_a_truncate_of_the_leads_empties_it() -> None:
    LeadProductFactory()
    AssignmentFactory()
    assert kept_rows() == 2
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads CASCADE")  # the leads gone by TRUNCATE, as a flush does
    assert kept_rows() == 0
