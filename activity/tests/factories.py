"""Factories for the event log.

Metadata goes through activity.metadata.validate_metadata() before the row is
written, so a factory row is stored exactly as activity_append() would store
it. Rows that break the schema on purpose are written with raw SQL in tests.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from activity.metadata import validate_metadata
from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from leads.tests.factories import LeadFactory


class ActivityFactory(factory.django.DjangoModelFactory):
    """A note by default; the subclasses below cover the typed events."""

    class Meta:
        model = LeadActivity

    lead = factory.SubFactory(LeadFactory)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    type = ActivityType.NOTE
    status = ActivityStatus.COMPLETED
    message = factory.Faker("sentence")
    actor_type = ActorType.SYSTEM
    actor_id = None
    metadata = factory.Dict({})

    @classmethod
    def _create(cls, model_class: type[LeadActivity], *args: Any, **kwargs: Any) -> LeadActivity:
        kwargs["metadata"] = validate_metadata(kwargs["type"], kwargs.get("metadata"))
        return super()._create(model_class, *args, **kwargs)


class AIResultFactory(ActivityFactory):
    type = ActivityType.AI_RESULT
    actor_type = ActorType.AI
    message = "AI analysis complete"
    metadata = factory.Dict(
        {
            "intent": factory.Faker("random_element", elements=("quote_request", "product_inquiry", "sample_request")),
            "lead_type": factory.Faker("random_element", elements=("home_owner", "architect", "builder")),
            "priority": factory.Faker("random_element", elements=("high", "medium", "low")),
            "suggested_action": factory.Faker("random_element", elements=("call_today", "send_catalog")),
            "reasoning": factory.Faker("sentence"),
            "model": "rules",
            "prompt_version": "v1",
        }
    )


class FollowUpFactory(ActivityFactory):
    """A pending follow-up; pass scheduled_for= (an aware datetime) to place it."""

    class Params:
        scheduled_for = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))

    type = ActivityType.FOLLOW_UP
    status = ActivityStatus.PENDING
    actor_type = ActorType.AI
    message = factory.Faker("sentence")
    metadata = factory.Dict(
        {
            "action": factory.Faker("random_element", elements=("call", "email", "site_visit")),
            "scheduled_for": factory.LazyAttribute(lambda d: d.factory_parent.scheduled_for.isoformat()),
            "reason": factory.Faker("sentence"),
        }
    )


class ApprovalFactory(ActivityFactory):
    type = ActivityType.APPROVAL
    status = ActivityStatus.PENDING
    actor_type = ActorType.AI
    message = "High-value lead needs approval"
    metadata = factory.Dict(
        {
            "approval_type": "high_value_lead",
            "ai_recommendation": factory.Faker("sentence"),
            "requires_manager": True,
        }
    )


class EmailFactory(ActivityFactory):
    type = ActivityType.EMAIL
    message = "Acknowledgement sent"
    metadata = factory.Dict({"template": "acknowledgement", "to": factory.Faker("email")})


class StatusChangeFactory(ActivityFactory):
    type = ActivityType.STATUS_CHANGE
    actor_type = ActorType.USER
    actor_id = factory.Faker("user_name")
    message = "Status changed"
    metadata = factory.Dict({"from_status": "new", "to_status": "contacted"})


def ai_result_for(lead: Any, **overrides: str) -> LeadActivity:
    """A plain, valid ai_result for `lead` (a medium quote request), with `overrides` on top."""
    meta = {
        "intent": "quote_request",
        "lead_type": "home_owner",
        "priority": "medium",
        "suggested_action": "call_today",
        "reasoning": "Asked for a quote",
        "model": "rules",
        "prompt_version": "v1",
        **overrides,
    }
    return AIResultFactory(lead=lead, metadata=meta)
