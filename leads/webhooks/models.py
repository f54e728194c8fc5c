"""Webhook endpoints that staff register, and the log of every delivery to them."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    LEAD_CREATED = "lead.created", _("Lead created")
    LEAD_MERGED = "lead.merged", _("Lead merged (same-day resubmission)")
    LEAD_TRIAGED = "lead.triaged", _("Lead triaged")
    LEAD_ASSIGNED = "lead.assigned", _("Lead assigned")
    LEAD_STATUS_CHANGED = "lead.status_changed", _("Lead status changed")
    SLA_BREACHED = "sla.breached", _("SLA breached")
    FOLLOW_UP_DUE = "follow_up.due", _("Follow-up due")
    APPROVAL_DECIDED = "approval.decided", _("Approval decided")


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, default=new_secret, help_text=_("Shared key for the signature."))
    events = models.JSONField(default=list, help_text=_("Event names this endpoint receives."))
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    # Set by delivery after too many failures in a row; a person resumes it in the admin.
    paused_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "webhook_endpoints"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (endpoint paused)")


class WebhookDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the Webhook-Id header
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
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
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="idx_webhook_delivery_endpoint")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
