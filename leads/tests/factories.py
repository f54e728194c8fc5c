"""Factories for leads and their product interests."""

from __future__ import annotations

import factory
from django.utils import timezone

from leads.models import Lead, LeadProduct, LeadRole, LeadSource, LeadStatus

CATEGORIES = ("Flooring", "Wall", "Lighting", "Laminates")


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    name = factory.Faker("name")
    # One lead per email per business day: a sequence keeps factory leads apart.
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    phone = factory.Faker("numerify", text="+919#########")  # E.164, as intake stores it
    company = factory.Faker("company")
    role = factory.Faker("random_element", elements=LeadRole.values)
    location = factory.Faker("city")
    message = factory.Faker("paragraph", nb_sentences=3)
    source = factory.Faker("random_element", elements=LeadSource.values)
    status = LeadStatus.NEW


class LeadProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadProduct

    lead = factory.SubFactory(LeadFactory)
    created_at = factory.LazyFunction(timezone.now)
    category = factory.Faker("random_element", elements=CATEGORIES)
    product = factory.Faker("catch_phrase")
    quantity = factory.Faker("numerify", text="### sq ft")
    notes = factory.Faker("sentence")
