"""The event log: everything that happens to a lead is a row here.

Rows are appended. The database refuses any UPDATE except the status and the
decision data of a pending follow-up or approval, and any DELETE except the
cascade of a lead's deletion (see migrations/0002).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead


class ActivityType(models.TextChoices):
    # The plan's eight types.
    AI_RESULT = "ai_result", _("AI analysis")
    ASSIGNMENT = "assignment", _("Assignment")
    EMAIL = "email", _("Email")
    CALL = "call", _("Call")
    FOLLOW_UP = "follow_up", _("Follow-up")
    APPROVAL = "approval", _("Approval")
    STATUS_CHANGE = "status_change", _("Status change")
    NOTE = "note", _("Note")
    # Ours: facts the plan had no type for.
    AI_CORRECTION = "ai_correction", _("AI correction")
    CONSENT = "consent", _("Consent")
    SLA_BREACH = "sla_breach", _("SLA breach")
    JOB_FAILED = "job_failed", _("Job failed")


class ActivityStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ActorType(models.TextChoices):
    SYSTEM = "system", _("System")
    USER = "user", _("User")
    AI = "ai", _("AI")


# Which statuses each type may hold; enforced by a CHECK constraint too.
STATUSES_BY_TYPE: dict[str, tuple[str, ...]] = {
    ActivityType.FOLLOW_UP: ("pending", "completed", "cancelled"),
    ActivityType.APPROVAL: ("pending", "approved", "rejected"),
    ActivityType.EMAIL: ("completed", "failed"),
}
DEFAULT_STATUSES: tuple[str, ...] = ("completed",)


def _status_rule() -> models.Q:
    rule = models.Q(~models.Q(type__in=list(STATUSES_BY_TYPE)), status__in=list(DEFAULT_STATUSES))
    for activity_type, statuses in STATUSES_BY_TYPE.items():
        rule |= models.Q(type=activity_type, status__in=list(statuses))
    return rule


class LeadActivity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.DO_NOTHING, related_name="activities", db_index=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)  # trigger-maintained

    type = models.CharField(max_length=50, choices=ActivityType.choices)
    status = models.CharField(max_length=50, choices=ActivityStatus.choices, default=ActivityStatus.COMPLETED)
    message = models.TextField()
    actor_type = models.CharField(max_length=50, choices=ActorType.choices, default=ActorType.SYSTEM)
    actor_id = models.CharField(max_length=255, null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "lead_activity"
        ordering = ["-created_at"]
        verbose_name_plural = "lead activities"
        indexes = [
            models.Index(fields=["type"], name="idx_lead_activity_type"),
            models.Index(fields=["status"], name="idx_lead_activity_status"),
            models.Index(fields=["-created_at"], name="idx_lead_activity_created_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(type__in=ActivityType.values), name="lead_activity_type_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=ActivityStatus.values), name="lead_activity_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(actor_type__in=ActorType.values), name="lead_activity_actor_type_valid"
            ),
            models.CheckConstraint(condition=_status_rule(), name="lead_activity_status_fits_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type} ({self.status}) on {self.lead_id}"


class StaffReadKind(models.TextChoices):
    CSV_EXPORT = "csv_export", _("CSV export")
    API_LEAD_LIST = "api_lead_list", _("API lead list")


class StaffRead(models.Model):
    """One read of many leads by a person (a CSV export, a page of the API's lead list).

    Written by the owner only (activity.services.staff_read_record); staff cannot write or read it
    (activity/migrations/0008), managers see it in the admin and the console.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.IntegerField()
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=StaffReadKind.choices)
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.IntegerField()

    class Meta:
        db_table = "staff_reads"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.row_count} rows at {self.created_at:%Y-%m-%d %H:%M}"
