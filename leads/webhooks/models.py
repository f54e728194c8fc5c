"""Webhook endpoints that staff register, and the log of every delivery to them."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.webhooks.signing import new_secret  # also named by migration 0007


class WebhookEvent(models.TextChoices):
    LEAD_CREATED = "lead.created", _("Lead created")
    LEAD_MERGED = "lead.merged", _("Lead merged (same-day resubmission)")
    LEAD_TRIAGED = "lead.triaged", _("Lead triaged")
    LEAD_ASSIGNED = "lead.assigned", _("Lead assigned")
    LEAD_STATUS_CHANGED = "lead.status_changed", _("Lead status changed")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    FOLLOW_UP_DUE = "follow_up.due", _("Follow-up due")
    APPROVAL_DECIDED = "approval.decided", _("Approval decided")


def endpoint_lock(endpoint_id: int) -> str:
    """The procrastinate lock of an endpoint's delivery jobs: one runs at a time, oldest first.

    leads/migrations/0011's intake_follow_on() builds the same string in SQL.
    """
    return f"webhook-endpoint-{endpoint_id}"


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text=_("Standard Webhooks secret (whsec_…): give it to the receiver to verify signatures."),
    )
    # After a rotation the old secret signs too, until this moment (a grace period set in the admin).
    previous_secret = models.CharField(max_length=200, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    events = models.JSONField(default=list, help_text=_("Event names this endpoint receives."))
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    # Set by delivery after too many failures in a row; a person resumes it in the admin.
    paused_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # The sequence number of the latest delivery logged for this endpoint. Taking the next
    # one locks this row until the emitting transaction commits, so numbers follow commit order.
    last_sequence = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "webhook_endpoints"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, *, now: datetime) -> list[str]:
        if self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the Webhook-Id header
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # 1, 2, 3... per endpoint, in the order the events happened; sent in the body, delivered in this order.
    sequence = models.PositiveBigIntegerField(editable=False)
    event = models.CharField(max_length=50, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhook_deliveries"
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="idx_webhook_delivery_endpoint"),
            # The next delivery to send to an endpoint: its oldest one not yet delivered.
            models.Index(
                fields=["endpoint", "sequence"],
                name="idx_webhook_delivery_waiting",
                condition=~models.Q(status="succeeded"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "sequence"], name="uniq_webhook_delivery_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
