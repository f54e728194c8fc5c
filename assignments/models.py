"""Ownership of a lead and its SLA clock.

`sla_met` and `response_time_minutes` belong to the database trigger
(migrations/0002): Python never writes them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    REASSIGNED = "reassigned", _("Reassigned")


class Assignment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.DO_NOTHING, related_name="assignments", db_index=False)
    assigned_at = models.DateTimeField(default=timezone.now)

    owner_id = models.CharField(max_length=255)
    owner_name = models.CharField(max_length=255, null=True, blank=True)

    sla_deadline = models.DateTimeField()
    sla_met = models.BooleanField(null=True, editable=False)
    response_time_minutes = models.IntegerField(null=True, editable=False)

    status = models.CharField(max_length=50, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "assignments"
        ordering = ["-assigned_at"]
        indexes = [
            # A lead's latest assignment (its owner) without a sort: the leads list and the CSV, per row.
            models.Index(fields=["lead", "-assigned_at", "-id"], name="idx_assignments_lead_latest"),
            models.Index(fields=["owner_id"], name="idx_assignments_owner_id"),
            models.Index(fields=["sla_deadline"], name="idx_assignments_sla_deadline"),
            models.Index(fields=["status"], name="idx_assignments_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AssignmentStatus.values), name="assignments_status_valid"
            ),
            # One owner at a time: routing races end here, not in Python.
            models.UniqueConstraint(
                fields=["lead"], condition=models.Q(status="active"), name="assignments_one_active_per_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_name or self.owner_id} on {self.lead_id} ({self.status})"


class RepAvailability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")


REPS_GROUP = "Sales reps"
MANAGERS_GROUP = "Sales managers"


class RepProfile(models.Model):
    """A sales rep's routing settings. Reps are users in the "Sales reps" group."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="rep_profile")
    availability = models.CharField(max_length=20, choices=RepAvailability.choices, default=RepAvailability.AVAILABLE)
    max_open_leads = models.PositiveIntegerField(default=50)
    # Empty means "covers everything".
    categories = models.JSONField(default=list, blank=True, help_text=_("Product categories covered; empty = all."))
    locations = models.JSONField(default=list, blank=True, help_text=_("Locations covered; empty = all."))
    manager = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_reps"
    )
    # Round-robin turn: the eligible rep assigned longest ago goes next.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rep_profiles"

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.availability})"
