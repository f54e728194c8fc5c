"""Factories for assignments. sla_met and response_time_minutes are the trigger's."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from assignments.models import Assignment, AssignmentStatus
from leads.tests.factories import LeadFactory


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An active assignment with a 4-hour SLA; `completed=True` closes it in 30 minutes."""

    class Meta:
        model = Assignment

    class Params:
        completed = factory.Trait(
            status=AssignmentStatus.COMPLETED,
            completed_at=factory.LazyAttribute(lambda o: o.assigned_at + timedelta(minutes=30)),
        )

    lead = factory.SubFactory(LeadFactory)
    assigned_at = factory.LazyFunction(timezone.now)
    owner_id = factory.Faker("user_name")
    owner_name = factory.Faker("name")
    sla_deadline = factory.LazyAttribute(lambda o: o.assigned_at + timedelta(hours=4))
    status = AssignmentStatus.ACTIVE
    completed_at = None
