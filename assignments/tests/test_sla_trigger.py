"""sla_met and response_time_minutes belong to the database trigger, on insert and on update."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.utils import timezone

from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) - timedelta(days=2)
DEADLINE = START + timedelta(hours=4)


def minutes(assigned_at: datetime, completed_at: datetime) -> int:
    seconds = Decimal((completed_at - assigned_at).total_seconds())
    return int((seconds / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def stored(assignment: Assignment) -> tuple[bool | None, int | None]:
    assignment.refresh_from_db()
    return assignment.sla_met, assignment.response_time_minutes


def make(completed_at: datetime | None = None) -> Assignment:
    return AssignmentFactory(assigned_at=START, sla_deadline=DEADLINE, completed_at=completed_at)


def test_it_leaves_both_empty_while_the_assignment_is_open() -> None:
    assert stored(make()) == (None, None)


@pytest.mark.parametrize(
    ("completed_at", "met"),
    [
        (START + timedelta(minutes=45), True),
        (DEADLINE, True),
        (DEADLINE + timedelta(seconds=1), False),
        (DEADLINE + timedelta(hours=3), False),
    ],
)
def test_it_computes_both_on_insert_of_a_completed_assignment(completed_at: datetime, met: bool) -> None:
    assert stored(make(completed_at)) == (met, minutes(START, completed_at))


def test_it_overrules_values_a_raw_insert_supplies() -> None:
    lead = LeadFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO assignments (lead_id, owner_id, assigned_at, sla_deadline, completed_at,
                                        status, sla_met, response_time_minutes)
               VALUES (%s, 'rep', %s, %s, %s, 'completed', true, 1)""",
            [lead.id, START, DEADLINE, DEADLINE + timedelta(minutes=10)],
        )
    assert stored(Assignment.objects.get(lead=lead)) == (False, 250)


@pytest.mark.parametrize(
    ("after", "met"),
    [(timedelta(minutes=20), True), (timedelta(hours=4), True), (timedelta(hours=4, minutes=1), False)],
)
def test_it_computes_both_when_completed_at_is_set_on_update(after: timedelta, met: bool) -> None:
    assignment = make()
    assignment.completed_at = START + after
    assignment.status = "completed"
    assignment.save()
    assert stored(assignment) == (met, minutes(START, START + after))


def test_it_recomputes_when_completed_at_changes() -> None:
    assignment = make(START + timedelta(minutes=30))
    assert stored(assignment) == (True, 30)
    Assignment.objects.filter(pk=assignment.pk).update(completed_at=DEADLINE + timedelta(minutes=5))
    assert stored(assignment) == (False, 245)
    Assignment.objects.filter(pk=assignment.pk).update(completed_at=START + timedelta(minutes=10))
    assert stored(assignment) == (True, 10)


def test_it_recomputes_when_the_deadline_moves_after_completion() -> None:
    assignment = make(START + timedelta(hours=5))
    assert stored(assignment) == (False, 300)
    Assignment.objects.filter(pk=assignment.pk).update(sla_deadline=START + timedelta(hours=6))
    assert stored(assignment) == (True, 300)


def test_it_clears_both_when_the_assignment_is_reopened() -> None:
    assignment = make(START + timedelta(minutes=30))
    Assignment.objects.filter(pk=assignment.pk).update(completed_at=None, status="active")
    assert stored(assignment) == (None, None)
    # Completed again: the new figures, not the first ones (SEED-NOTES #9).
    Assignment.objects.filter(pk=assignment.pk).update(completed_at=DEADLINE + timedelta(minutes=1))
    assert stored(assignment) == (False, 241)


@pytest.mark.parametrize(("seconds", "expected"), [(89, 1), (90, 2), (149, 2), (150, 3)])
def test_it_rounds_the_response_time_to_the_nearest_minute(seconds: int, expected: int) -> None:
    completed_at = START + timedelta(seconds=seconds)
    assert minutes(START, completed_at) == expected
    assert stored(make(completed_at))[1] == expected


def test_it_needs_nothing_from_python_and_ignores_what_python_holds() -> None:
    assignment = make()
    # A stale or forged in-memory value does not reach the row.
    assignment.sla_met = True
    assignment.response_time_minutes = 1
    assignment.save()
    assert stored(assignment) == (None, None)
    assignment.completed_at = DEADLINE + timedelta(hours=1)
    assignment.sla_met = True
    assignment.save()
    assert stored(assignment) == (False, 300)
    assert not Assignment._meta.get_field("sla_met").editable
    assert not Assignment._meta.get_field("response_time_minutes").editable


def response_counters() -> dict[object, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT business_date, sum(completed), sum(minutes_sum) FROM assignment_daily_responses
               GROUP BY 1 HAVING sum(completed) <> 0 OR sum(minutes_sum) <> 0"""
        )
        return {day: (int(n), int(total)) for day, n, total in cursor.fetchall()}


def rebuilt_counters() -> dict[object, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT business_date(completed_at), count(*), sum(response_time_minutes) FROM assignments
               WHERE response_time_minutes IS NOT NULL GROUP BY 1"""
        )
        return {day: (int(n), int(total)) for day, n, total in cursor.fetchall()}


def test_it_keeps_the_response_counters_equal_to_the_rows() -> None:
    done = [make(START + timedelta(minutes=m)) for m in (15, 200, 600)]
    make()
    assert response_counters() == rebuilt_counters() != {}
    Assignment.objects.filter(pk=done[0].pk).update(completed_at=START + timedelta(days=1))
    Assignment.objects.filter(pk=done[1].pk).update(completed_at=None)
    assert response_counters() == rebuilt_counters()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM leads WHERE id = %s", [done[2].lead_id])
    assert response_counters() == rebuilt_counters()
