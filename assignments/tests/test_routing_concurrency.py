"""Two workers routing at once: real threads, real connections, real transactions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from activity.tests.factories import AIResultFactory
from assignments import services
from assignments.models import Assignment
from assignments.tests.staff import make_rep
from leads.tests.factories import LeadFactory

# serialized_rollback: like the other transactional tests of the suite, so flushes agree on
# whether post_migrate recreates content types (mixing the two breaks the next test).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_at_once(calls: list[Callable[[], Any]]) -> list[BaseException]:
    """Start every call on its own thread (and connection) at the same moment."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # reported to the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_it_never_goes_over_a_reps_cap() -> None:
    reps = [make_rep(max_open_leads=2), make_rep(max_open_leads=1)]
    leads = [LeadFactory() for _ in range(8)]
    results = [AIResultFactory(lead=lead) for lead in leads]

    errors = run_at_once(
        [
            lambda lead=lead, r=r: services.lead_route(lead_id=lead.id, ai_result=r)
            for lead, r in zip(leads, results, strict=True)
        ]
    )

    assert errors == []
    counts = {str(rep.id): Assignment.objects.filter(owner_id=str(rep.id), status="active").count() for rep in reps}
    assert counts == {str(reps[0].id): 2, str(reps[1].id): 1}
    assert Assignment.objects.count() == 3  # the other five wait in the manager queue


def test_it_never_gives_one_lead_two_active_assignments() -> None:
    for _ in range(4):
        make_rep()
    lead = LeadFactory()
    ai_result = AIResultFactory(lead=lead)

    errors = run_at_once([lambda: services.lead_route(lead_id=lead.id, ai_result=ai_result) for _ in range(6)])

    assert errors == []
    assert Assignment.objects.filter(lead=lead).count() == 1
    assert lead.activities.filter(type="assignment").count() == 1
