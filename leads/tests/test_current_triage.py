"""The one rule for a lead's current priority and intent, read the same way by every door."""

from __future__ import annotations

import re
from typing import Any

import pytest

from activity.corrections import ai_correct
from activity.tests.factories import AIResultFactory
from assignments.models import Assignment
from assignments.services import assignment_reassign
from assignments.tests.staff import make_manager, make_rep
from leads.api.tests.support import TokenClient
from leads.console.tests.overview_support import client_for
from leads.models import Lead
from leads.selectors import current_triage, with_current_triage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def triaged(priority: str, intent: str = "quote_request") -> tuple[Lead, Any]:
    lead = LeadFactory()
    return lead, AIResultFactory(lead=lead, metadata__priority=priority, metadata__intent=intent)


def api_ids(client: TokenClient, **params: str) -> set[str]:
    return {row["id"] for row in client.get("/leads/", params).json()["results"]}


def console_ids(client: Any, **params: str) -> set[str]:
    return set(re.findall(r'<tr data-lead="([0-9a-f-]+)"', client.get("/console/leads/", params).content.decode()))


def test_it_gives_the_same_leads_for_priority_high_in_the_api_and_the_console_after_a_correction() -> None:
    manager = make_manager()
    high, _ = triaged("high")
    demoted, demoted_ai = triaged("high")
    promoted, promoted_ai = triaged("low")
    triaged("medium")
    ai_correct(ai_result_id=demoted_ai.id, actor_id=str(manager.id), priority="low")
    ai_correct(ai_result_id=promoted_ai.id, actor_id=str(manager.id), priority="high")

    from_api = api_ids(TokenClient(manager), priority="high")
    from_console = console_ids(client_for(manager), priority="high")

    assert from_api == from_console == {str(high.id), str(promoted.id)}
    assert str(demoted.id) not in from_api


def test_it_filters_on_the_corrected_intent_and_keeps_the_uncorrected_priority() -> None:
    manager = make_manager()
    lead, ai = triaged("high", intent="product_inquiry")
    ai_correct(ai_result_id=ai.id, actor_id=str(manager.id), intent="quote_request")

    assert current_triage(lead_id=lead.id) == {"priority": "high", "intent": "quote_request"}
    api = TokenClient(manager)
    assert api_ids(api, intent="quote_request") == {str(lead.id)}
    assert api_ids(api, intent="product_inquiry") == set()


def test_it_reads_the_latest_ai_result_and_forgets_corrections_of_an_older_one() -> None:
    manager = make_manager()
    lead, first = triaged("low")
    ai_correct(ai_result_id=first.id, actor_id=str(manager.id), priority="high")
    AIResultFactory(lead=lead, metadata__priority="medium", metadata__intent="sample_request")

    row = with_current_triage(Lead.objects.filter(id=lead.id)).get()
    assert (row.priority, row.intent) == ("medium", "sample_request")


def test_it_is_none_before_triage() -> None:
    assert current_triage(lead_id=LeadFactory().id) == {"priority": None, "intent": None}


def test_it_gives_a_reassigned_lead_the_sla_of_its_corrected_priority(settings: Any, always_open: None) -> None:
    settings.SLA_MINUTES = {"high": 30, "medium": 240, "low": 1440}
    manager = make_manager()
    make_rep()
    lead, ai = triaged("low")
    ai_correct(ai_result_id=ai.id, actor_id=str(manager.id), priority="high")

    assignment = assignment_reassign(lead_id=lead.id, actor=manager)

    stored = Assignment.objects.get(id=assignment.id)
    assert round((stored.sla_deadline - stored.assigned_at).total_seconds() / 60) == 30
