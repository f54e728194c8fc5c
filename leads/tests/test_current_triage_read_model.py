"""lead_current_triage and its daily counters against the rule computed from the event log itself."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activity.corrections import ai_correct
from activity.tests.factories import AIResultFactory
from leads.console.overview.selectors import priority_and_intent_mix
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db

PRIORITIES = ("high", "medium", "low")
INTENTS = ("quote_request", "product_inquiry", "sample_request")

# The rule straight from the event log: what the read model must always agree with.
BRUTE_FORCE = """
SELECT l.id,
  (SELECT COALESCE(c.metadata->>'{key}', ai.metadata->>'{key}') FROM lead_activity ai
   LEFT JOIN LATERAL (SELECT x.metadata FROM lead_activity x WHERE x.lead_id = ai.lead_id
     AND x.type = 'ai_correction' AND x.metadata->>'overrides' = ai.id::text
     ORDER BY x.created_at DESC, x.id DESC LIMIT 1) c ON true
   WHERE ai.lead_id = l.id AND ai.type = 'ai_result' ORDER BY ai.created_at DESC, ai.id DESC LIMIT 1)
FROM leads l WHERE l.created_at >= now() - interval '29 days'
"""


def brute_force(key: str) -> dict[object, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(BRUTE_FORCE.format(key=key))  # key from this module
        return dict(cursor.fetchall())


def generated_history(rng: random.Random) -> None:
    for _ in range(60):
        lead = LeadFactory(created_at=timezone.now() - timedelta(days=rng.randrange(0, 20), hours=rng.randrange(24)))
        for _ in range(rng.randrange(0, 3)):  # untriaged, triaged once, triaged again
            ai = AIResultFactory(
                lead=lead, metadata__priority=rng.choice(PRIORITIES), metadata__intent=rng.choice(INTENTS)
            )
            for _ in range(rng.randrange(0, 3)):
                correct(ai, priority=rng.choice((*PRIORITIES, None)), intent=rng.choice((*INTENTS, None)))


def correct(ai: object, **values: str | None) -> None:
    try:
        ai_correct(ai_result_id=ai.id, actor_id="1", **values)
    except DomainError:  # nothing to correct (no value, or the AI's own): the log stays as it is
        pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_keeps_the_dashboard_mix_exact_against_a_brute_force_count(seed: int) -> None:
    generated_history(random.Random(seed))
    # A deleted lead leaves the counts too.
    Lead.objects.filter(id__in=list(Lead.objects.values_list("id", flat=True)[:5])).delete()

    priorities, intents = priority_and_intent_mix(days=30)

    expected_priorities = Counter(v or "unknown" for v in brute_force("priority").values())
    expected_intents = Counter(v or "unknown" for v in brute_force("intent").values())
    assert priorities == expected_priorities
    assert intents == expected_intents


def test_it_answers_the_rule_by_primary_key_whatever_the_statistics() -> None:
    lead = LeadFactory()
    ai = AIResultFactory(lead=lead, metadata__priority="low")
    ai_correct(ai_result_id=ai.id, actor_id="1", priority="high")
    with connection.cursor() as cursor:
        cursor.execute("SELECT priority FROM lead_current_triage WHERE lead_id = %s", [lead.id])
        assert cursor.fetchone() == ("high",)
        cursor.execute(
            "EXPLAIN SELECT l.id FROM leads l WHERE "
            "(SELECT t.priority FROM lead_current_triage t WHERE t.lead_id = l.id) = 'high' "
            "ORDER BY l.created_at DESC, l.id DESC LIMIT 50"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # One lookup of the read model by the lead's id, not a search of the event log.
    assert "on lead_current_triage t" in plan and "lead_id = l.id" in plan, plan
    assert "lead_activity" not in plan, plan
