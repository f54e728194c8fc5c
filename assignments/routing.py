"""Routing rules: who may take a lead, whose turn it is, and what counts as high value.

No writes here: assignments.services takes the routing lock, asks these
functions, and records the answer (with every candidate's reason) as events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assignments import selectors
from assignments.models import MANAGERS_GROUP, REPS_GROUP, RepAvailability, RepProfile
from leads.models import Lead
from leads.quantities import parse_quantity

RULE_ROUND_ROBIN = "round_robin"


class SkipReason(models.TextChoices):
    AWAY = "away", _("Away")
    AT_CAP = "at_cap", _("At their open-lead cap")
    CATEGORY = "category", _("Does not cover the product category")
    LOCATION = "location", _("Does not cover the location")
    NOT_THEIR_TURN = "not_their_turn", _("Eligible, but another rep's turn")
    CURRENT_OWNER = "current_owner", _("Already owns the lead")


@dataclass
class Candidate:
    user_id: int
    name: str
    open_leads: int
    max_open_leads: int
    last_assigned_at: datetime | None
    skipped: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.skipped

    def as_metadata(self, *, chosen: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "owner_id": str(self.user_id),
            "name": self.name,
            "open_leads": self.open_leads,
            "max_open_leads": self.max_open_leads,
            "last_assigned_at": self.last_assigned_at.isoformat() if self.last_assigned_at else None,
        }
        if chosen:
            item["chosen"] = True
        else:
            item["skipped"] = list(self.skipped) or [SkipReason.NOT_THEIR_TURN.value]
        return item


def staff_users() -> QuerySet[User]:
    """Users as a staff request may read them: never the password hash, whose column the role
    `authenticated` cannot select (activity/migrations/0008)."""
    return User.objects.defer("password")


def display_name(user: User) -> str:
    return user.get_full_name() or user.username


def is_manager(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=MANAGERS_GROUP).exists()


def is_rep(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.groups.filter(name=REPS_GROUP).exists()


def is_staff_member(user: Any) -> bool:
    """Reps and managers: the people who work leads."""
    return is_rep(user) or is_manager(user)


def manager_emails() -> list[str]:
    users = staff_users().filter(is_active=True, groups__name=MANAGERS_GROUP).exclude(email="").order_by("id")
    return list(dict.fromkeys(u.email for u in users))


# --- Coverage ---------------------------------------------------------------------


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


def location_parts(location: str | None) -> set[str]:
    """ "Andheri, Mumbai" is covered by a rep for "Mumbai" as well as one for "Andheri, Mumbai"."""
    if not location or not location.strip():
        return set()
    parts = {_fold(p) for p in location.split(",") if p.strip()}
    return parts | {_fold(location)}


def covers_categories(rep_categories: Iterable[str], lead_categories: set[str]) -> bool:
    """Empty on the rep means every category; a lead with no products is anyone's.

    A lead asking about several categories goes to a rep covering any of
    them: requiring all would leave mixed enquiries with nobody.
    """
    wanted = {_fold(c) for c in rep_categories if str(c).strip()}
    return not wanted or not lead_categories or bool(wanted & lead_categories)


def covers_location(rep_locations: Iterable[str], lead_location: str | None) -> bool:
    """Empty on the rep means everywhere; a rep limited to places does not take a lead of unknown place."""
    wanted = {_fold(c) for c in rep_locations if str(c).strip()}
    return not wanted or bool(wanted & location_parts(lead_location))


# --- Candidates and the turn -------------------------------------------------------


def rep_candidates(*, lead: Lead, exclude_owner_ids: Iterable[str] = ()) -> list[Candidate]:
    """Every active rep with a profile, each with the reasons they cannot take this lead."""
    profiles = list(
        RepProfile.objects.select_related("user")
        .defer("user__password")
        .filter(user__is_active=True, user__groups__name=REPS_GROUP)
        .distinct()
        .order_by("id")
    )
    counts = selectors.open_assignment_counts(owner_ids=[str(p.user_id) for p in profiles])
    lead_categories = {_fold(c) for c in lead.products.values_list("category", flat=True)}
    excluded = set(exclude_owner_ids)
    candidates = []
    for profile in profiles:
        candidate = Candidate(
            user_id=profile.user_id,
            name=display_name(profile.user),
            open_leads=counts.get(str(profile.user_id), 0),
            max_open_leads=profile.max_open_leads,
            last_assigned_at=profile.last_assigned_at,
        )
        if str(profile.user_id) in excluded:
            candidate.skipped.append(SkipReason.CURRENT_OWNER)
        if profile.availability != RepAvailability.AVAILABLE:
            candidate.skipped.append(SkipReason.AWAY)
        if candidate.open_leads >= profile.max_open_leads:
            candidate.skipped.append(SkipReason.AT_CAP)
        if not covers_categories(profile.categories or [], lead_categories):
            candidate.skipped.append(SkipReason.CATEGORY)
        if not covers_location(profile.locations or [], lead.location):
            candidate.skipped.append(SkipReason.LOCATION)
        candidates.append(candidate)
    return candidates


def whose_turn(candidates: list[Candidate]) -> Candidate | None:
    """Round-robin: the eligible rep assigned longest ago (never assigned first), ties by id."""
    eligible = [c for c in candidates if c.eligible]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (c.last_assigned_at is not None, c.last_assigned_at or 0, c.user_id))


# --- SLA and value ----------------------------------------------------------------------


def sla_minutes(priority: str | None) -> int:
    """Minutes of business time to the first response; an unknown priority counts as medium."""
    table = settings.SLA_MINUTES
    return int(table.get(priority or "medium", table["medium"]))


def is_high_value(*, priority: str | None, lead_type: str | None, quantities: Iterable[str | None]) -> bool:
    """Priority high and either a high-value lead type or one large quantity (settings)."""
    if priority != "high":
        return False
    if lead_type in settings.HIGH_VALUE_LEAD_TYPES:
        return True
    threshold = settings.HIGH_VALUE_MIN_QUANTITY
    return any((q := parse_quantity(text)) is not None and q >= threshold for text in quantities)
