"""The dashboard's counter tables against brute-force counts of the rows they summarise.

leads per day by source (leads 0018), SLA per week (assignments 0008) and the agreement
with the AI (activity 0011) are kept by triggers; generated histories with updates and
deletes must leave them equal to a count of the tables themselves.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from activity.corrections import CORRECTABLE, ai_agreement, ai_correct
from activity.models import ActivityType, LeadActivity
from activity.tests.factories import AIResultFactory
from assignments.models import Assignment, AssignmentStatus
from assignments.tests.factories import AssignmentFactory
from leads.console.overview.selectors import business_today, leads_per_day_by_source, sla_per_week
from leads.models import Lead, LeadSource
from leads.tests.factories import LeadFactory
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db

PRIORITIES = ("high", "medium", "low")
INTENTS = ("quote_request", "product_inquiry", "sample_request")


def query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def generated_history(rng: random.Random) -> None:
    now = timezone.now()
    for _ in range(50):
        lead = LeadFactory(created_at=now - timedelta(days=rng.randrange(0, 40), hours=rng.randrange(24)))
        for _ in range(rng.randrange(0, 3)):
            ai = AIResultFactory(
                lead=lead, metadata__priority=rng.choice(PRIORITIES), metadata__intent=rng.choice(INTENTS)
            )
            for _ in range(rng.randrange(0, 3)):
                try:
                    ai_correct(
                        ai_result_id=ai.id,
                        actor_id="1",
                        priority=rng.choice((*PRIORITIES, None)),
                        intent=rng.choice((*INTENTS, None)),
                    )
                except DomainError:  # nothing to correct: the log stays as it is
                    pass
        if rng.random() < 0.7:
            assigned = now - timedelta(days=rng.randrange(0, 70), hours=rng.randrange(24))
            done = rng.random() < 0.7
            AssignmentFactory(
                lead=lead,
                assigned_at=assigned,
                sla_deadline=assigned + timedelta(hours=rng.choice((1, 4, 24))),
                status=AssignmentStatus.COMPLETED if done else AssignmentStatus.ACTIVE,
                completed_at=assigned + timedelta(hours=rng.randrange(0, 30)) if done else None,
            )
    # The owner may move a lead's source and creation time, and complete assignments late.
    for lead in Lead.objects.order_by("?")[:8]:
        Lead.objects.filter(id=lead.id).update(
            source=rng.choice(LeadSource.values), created_at=lead.created_at - timedelta(days=rng.randrange(1, 5))
        )
    active = Assignment.objects.filter(status=AssignmentStatus.ACTIVE).order_by("?")[:5]
    for assignment in active:
        Assignment.objects.filter(id=assignment.id).update(
            status=AssignmentStatus.COMPLETED, completed_at=assignment.assigned_at + timedelta(hours=rng.randrange(30))
        )
    # A deleted lead takes its events and assignments, and so its counts, with it.
    Lead.objects.filter(id__in=list(Lead.objects.order_by("?").values_list("id", flat=True)[:6])).delete()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_leads_per_day_by_source_equal_a_count_of_the_leads(seed: int) -> None:
    generated_history(random.Random(seed))
    first = business_today() - timedelta(days=29)

    data = leads_per_day_by_source(days=30)

    expected = query(
        "SELECT business_date(created_at), source, count(*) FROM leads "
        "WHERE created_at >= business_day_start(%s) GROUP BY 1, 2",
        [first],
    )
    assert data.counts == {(day, source): n for day, source, n in expected}
    assert (
        sum(data.counts.values())
        == Lead.objects.filter(created_at__gte=query("SELECT business_day_start(%s)", [first])[0][0]).count()
        > 0
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sla_per_week_equals_a_count_of_the_completed_assignments(seed: int) -> None:
    generated_history(random.Random(seed))
    today = business_today()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=7)

    data = sla_per_week(weeks=8)

    expected = query(
        "SELECT date_trunc('week', business_date(completed_at))::date, "
        "count(*) FILTER (WHERE sla_met), count(*) FILTER (WHERE NOT sla_met) FROM assignments "
        "WHERE completed_at >= business_day_start(%s) GROUP BY 1",
        [first],
    )
    assert data.met == {week: met for week, met, _ in expected if met}
    assert data.missed == {week: missed for week, _, missed in expected if missed}
    assert sum(data.met.values()) + sum(data.missed.values()) > 0


def brute_force_agreement() -> tuple[int, dict[str, int], dict[str, Counter]]:
    """What ai_agreement() counted from the event log itself before the counters."""
    corrections = LeadActivity.objects.filter(type=ActivityType.AI_CORRECTION)
    corrected, changes = {}, {}
    for name in CORRECTABLE:
        on_field = corrections.filter(metadata__has_key=name)
        corrected[name] = on_field.values("lead_id", "metadata__overrides").distinct().count()
        rows = on_field.values(f"metadata__previous_{name}", f"metadata__{name}").annotate(n=Count("id"))
        changes[name] = Counter({(r[f"metadata__previous_{name}"], r[f"metadata__{name}"]): r["n"] for r in rows})
    return LeadActivity.objects.filter(type=ActivityType.AI_RESULT).count(), corrected, changes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agreement_with_the_ai_equals_a_count_of_the_event_log(seed: int) -> None:
    generated_history(random.Random(seed))

    agreement = ai_agreement()

    ai_results, corrected, changes = brute_force_agreement()
    assert agreement.ai_results == ai_results > 0
    assert agreement.corrected == corrected
    assert sum(corrected.values()) > 0
    assert agreement.changes == changes


def test_a_result_corrected_twice_counts_once_and_leaves_with_its_lead() -> None:
    ai = AIResultFactory(metadata__priority="low", metadata__intent="quote_request")
    ai_correct(ai_result_id=ai.id, actor_id="1", priority="high")
    ai_correct(ai_result_id=ai.id, actor_id="2", priority="medium")
    agreement = ai_agreement()
    assert (agreement.ai_results, agreement.corrected["priority"], agreement.corrected["intent"]) == (1, 1, 0)
    assert agreement.changes["priority"] == {("low", "high"): 1, ("low", "medium"): 1}

    Lead.objects.filter(id=ai.lead_id).delete()

    empty = ai_agreement()
    assert (empty.ai_results, empty.corrected["priority"], sum(empty.changes["priority"].values())) == (0, 0, 0)
