"""The real job path: a stored lead, lead_triage(), an ai_result in the log."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from activity.metadata import AIResultMetadata
from activity.models import LeadActivity
from activity.triage import LeadSnapshot, rules
from assignments.pipeline import lead_triage
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db


def test_it_appends_a_valid_ai_result_for_a_stored_lead(settings: Settings) -> None:
    settings.TRIAGE_PROVIDER = "rules"
    lead = LeadFactory(role="Builder", message="Please send a quotation, tender closes Friday.")
    LeadProductFactory(lead=lead, category="Flooring", product="SPC flooring", quantity="5000 sq ft", notes=None)

    event = lead_triage(lead_id=lead.id)

    stored = LeadActivity.objects.get(id=event.id)
    assert (stored.type, stored.lead_id, stored.actor_type) == ("ai_result", lead.id, "ai")
    AIResultMetadata.model_validate(stored.metadata)
    expected = rules.classify(
        LeadSnapshot(
            name=lead.name,
            email=lead.email,
            role="Builder",
            message=lead.message,
            products=(("Flooring", "SPC flooring", "5000 sq ft", None),),
        )
    )
    assert stored.metadata["intent"] == expected["intent"] == "quote_request"
    assert stored.metadata["priority"] == "high"
    assert stored.metadata["lead_type"] == "builder"
    assert "large area: 5000 sq ft" in stored.metadata["signals"]
    assert stored.message == "AI triage: quote_request, high priority, call_within_30_min"
