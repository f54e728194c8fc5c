"""Leads in a rep's queue, built through the real routing service."""

from __future__ import annotations

from typing import Any

from activity.tests.factories import AIResultFactory
from assignments import services
from assignments.models import Assignment
from leads.models import Lead
from leads.tests.factories import LeadFactory, LeadProductFactory

PASSWORD = "console-pass-123"


def routed_lead(rep: Any, *, priority: str = "medium", intent: str = "quote_request", **lead_fields: Any) -> Lead:
    """A lead with an AI analysis, routed by lead_route; the only available rep gets it."""
    lead = LeadFactory(**lead_fields)
    LeadProductFactory(lead=lead)
    ai_result = AIResultFactory(
        lead=lead,
        metadata={
            "intent": intent,
            "lead_type": "architect",
            "priority": priority,
            "suggested_action": "call_today",
            "reasoning": "Asks for a quote on 1200 sq ft of oak flooring.",
            "model": "rules",
            "prompt_version": "v1",
        },
    )
    assignment = services.lead_route(lead_id=lead.id, ai_result=ai_result).assignment
    assert assignment is not None and assignment.owner_id == str(rep.id)
    return lead


def active_assignment(lead: Lead) -> Assignment | None:
    return Assignment.objects.filter(lead=lead, status="active").first()
