"""Sales reps and managers for tests: real users in the real groups.

get_or_create: a transaction=True test flushes the groups the data migration made.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group, User

from assignments.models import MANAGERS_GROUP, REPS_GROUP, RepProfile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.example.com")


def make_manager(**kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=MANAGERS_GROUP)[0])
    return user


def make_rep(
    *,
    manager: User | None = None,
    availability: str = "available",
    max_open_leads: int = 50,
    categories: list[str] | None = None,
    locations: list[str] | None = None,
    **kwargs: Any,
) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=REPS_GROUP)[0])
    RepProfile.objects.create(
        user=user,
        manager=manager,
        availability=availability,
        max_open_leads=max_open_leads,
        categories=categories or [],
        locations=locations or [],
    )
    return user
