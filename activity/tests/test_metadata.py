"""Every event's metadata is checked against its type's schema before it is written."""

from __future__ import annotations

import uuid

import pytest

from activity.metadata import SCHEMAS
from activity.models import ActivityType, LeadActivity
from activity.services import activity_append
from leads.tests.factories import LeadFactory
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db

AT = "2026-03-10T10:00:00+05:30"
LATER = "2026-03-10T14:30:00+05:30"

# type -> (status, a good shape, a bad shape, the key the refusal must name)
CASES: dict[str, tuple[str, dict[str, object], dict[str, object], str]] = {
    "ai_result": (
        "completed",
        {
            "intent": "quote_request",
            "lead_type": "architect",
            "priority": "high",
            "suggested_action": "call_within_30_min",
            "reasoning": "Large project, asks for a quote.",
            "model": "llama-3.1-70b",
            "prompt_version": "v1",
            "latency_ms": 812,
        },
        {
            "intent": "quote_request",
            "lead_type": "architect",
            "priority": "urgent",
            "suggested_action": "call_today",
            "model": "m",
            "prompt_version": "v1",
        },
        "priority",
    ),
    "ai_correction": (
        "completed",
        {"overrides": str(uuid.uuid4()), "priority": "low", "previous_priority": "high"},
        {"priority": "low"},
        "overrides",
    ),
    "follow_up": (
        "pending",
        {"action": "call", "scheduled_for": AT, "reason": "Asked for a call"},
        {"action": "call", "scheduled_for": "tomorrow"},
        "scheduled_for",
    ),
    "approval": (
        "pending",
        {"approval_type": "high_value_lead", "ai_recommendation": "Fast-track", "requires_manager": True},
        {"approval_type": "high_value_lead", "requires_manager": "perhaps"},
        "requires_manager",
    ),
    "email": (
        "completed",
        {"template": "acknowledgement", "to": "a@x.com", "subject": "Thanks"},
        {"template": "ack", "direction": "sideways"},
        "direction",
    ),
    "assignment": (
        "completed",
        {"owner_id": "rep-1", "owner_name": "Rep One", "sla_deadline": LATER, "priority": "high"},
        {"owner_id": "rep-1"},
        "sla_deadline",
    ),
    "status_change": (
        "completed",
        {"from_status": "new", "to_status": "contacted"},
        {"from_status": "new"},
        "to_status",
    ),
    "call": (
        "completed",
        {"outcome": "no_answer", "duration_seconds": 60},
        {"duration_seconds": -5},
        "duration_seconds",
    ),
    "note": ("completed", {"kind": "site", "anything": "goes"}, {"kind": "k" * 51}, "kind"),
    "consent": (
        "completed",
        {"privacy_notice_version": "2026-01", "privacy_accepted_at": AT, "marketing_opt_in": False},
        {"privacy_notice_version": "2026-01", "privacy_accepted_at": AT},
        "marketing_opt_in",
    ),
    "sla_breach": (
        "completed",
        {"assignment_id": str(uuid.uuid4()), "owner_id": "rep-1", "sla_deadline": AT, "detected_at": LATER},
        {"assignment_id": "a", "owner_id": "rep-1", "sla_deadline": AT, "detected_at": "yesterday"},
        "detected_at",
    ),
    "job_failed": (
        "completed",
        {"job": "triage", "attempts": 3, "error": "timeout"},
        {"job": "triage", "attempts": -1, "error": "x"},
        "attempts",
    ),
}


def append(
    lead_id: uuid.UUID, activity_type: str, metadata: dict[str, object] | None, status: str = "completed"
) -> LeadActivity:
    return activity_append(lead_id=lead_id, type=activity_type, message="An event", metadata=metadata, status=status)


def test_it_has_a_case_for_every_schema_and_a_schema_for_every_type() -> None:
    assert set(CASES) == set(SCHEMAS) == set(ActivityType.values)


@pytest.mark.parametrize("activity_type", sorted(CASES))
def test_it_stores_a_good_shape(activity_type: str) -> None:
    status, good, _, _ = CASES[activity_type]
    lead = LeadFactory()
    event = append(lead.id, activity_type, good, status)
    stored = LeadActivity.objects.get(pk=event.pk)
    assert (stored.lead_id, stored.type, stored.status) == (lead.id, activity_type, status)
    assert stored.metadata.items() >= good.items()


@pytest.mark.parametrize("activity_type", sorted(CASES))
def test_it_refuses_a_bad_shape_naming_the_key_and_writes_nothing(activity_type: str) -> None:
    status, _, bad, key = CASES[activity_type]
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        append(lead.id, activity_type, bad, status)
    assert caught.value.code == "invalid_metadata"
    assert caught.value.field == "metadata"
    assert caught.value.message.startswith(f"Invalid {activity_type} metadata: {key}:")
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_refuses_a_scheduled_for_without_an_offset() -> None:
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        append(lead.id, "follow_up", {"action": "call", "scheduled_for": "2026-03-10T10:00:00"}, "pending")
    assert "scheduled_for" in caught.value.message
    assert "timezone" in caught.value.message
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_keeps_the_offset_of_scheduled_for() -> None:
    event = append(LeadFactory().id, "follow_up", {"action": "call", "scheduled_for": AT}, "pending")
    assert LeadActivity.objects.get(pk=event.pk).metadata["scheduled_for"] == AT


def test_it_refuses_keys_the_schema_does_not_know() -> None:
    _, good, _, _ = CASES["ai_result"]
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        append(lead.id, "ai_result", {**good, "lead_score": 97})
    assert "lead_score" in caught.value.message
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_drops_empty_optional_values_and_fills_defaults() -> None:
    event = append(LeadFactory().id, "email", {"template": "acknowledgement", "subject": None})
    assert LeadActivity.objects.get(pk=event.pk).metadata == {
        "template": "acknowledgement",
        "channel": "console",
        "direction": "outbound",
        "retry_count": 0,
    }


def test_it_refuses_a_status_that_does_not_fit_the_type() -> None:
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        append(lead.id, "email", CASES["email"][1], "pending")
    assert caught.value.code == "invalid_status"
    follow_up = CASES["follow_up"][1]
    with pytest.raises(DomainError):
        append(lead.id, "follow_up", follow_up, "approved")
    assert not LeadActivity.objects.filter(lead=lead).exists()
    assert append(lead.id, "follow_up", follow_up, "cancelled").status == "cancelled"


def test_it_refuses_an_unknown_type_and_an_empty_message() -> None:
    lead = LeadFactory()
    with pytest.raises(DomainError) as caught:
        append(lead.id, "fax", {})
    assert caught.value.code == "invalid_type"
    with pytest.raises(DomainError) as caught:
        activity_append(lead_id=lead.id, type="note", message="   ", metadata={})
    assert caught.value.code == "required"
    assert not LeadActivity.objects.filter(lead=lead).exists()
