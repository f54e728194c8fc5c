"""Sales reps and managers for tests: real users in the real groups."""

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
    user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
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
    user.groups.add(Group.objects.get(name=REPS_GROUP))
    RepProfile.objects.create(
        user=user,
        manager=manager,
        availability=availability,
        max_open_leads=max_open_leads,
        categories=categories or [],
        locations=locations or [],
    )
    return user
