"""What a person submitted: leads and their product interests.

No AI field, no score, no owner column: those are events (activity app) and
assignments (assignments app). Foreign keys cascade in the database itself
(see the migration), so Django's own cascade is switched off with DO_NOTHING:
the append-only trigger on lead_activity would refuse Django deleting events
one by one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A message has no length rule of its own: the request size limit (MAX_REQUEST_BYTES, 256 KiB by
# default, a 413 beyond) is what caps it, so a pasted tender text is kept whole. This bound is
# only the backstop behind that limit (the column's CHECK, the form and the API): a character is
# at least one byte, so no request within the default limit can reach it.
MESSAGE_MAX_LENGTH = 1_000_000
NOTES_MAX_LENGTH = 2_000


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    NURTURING = "nurturing", _("Nurturing")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    LOST = "lost", _("Lost")


class LeadSource(models.TextChoices):
    WEBSITE_FORM = "website_form", _("Website form")
    REFERRAL = "referral", _("Referral")
    CAMPAIGN = "campaign", _("Campaign")
    PHONE = "phone", _("Phone")
    PARTNER = "partner", _("Partner")
    WALK_IN = "walk_in", _("Walk-in")


class LeadRole(models.TextChoices):
    HOME_OWNER = "Home Owner", _("Home owner")
    ARCHITECT = "Architect", _("Architect")
    BUILDER = "Builder", _("Builder")
    CONTRACTOR = "Contractor", _("Contractor")
    INTERIOR_DESIGNER = "Interior Designer", _("Interior designer")
    OTHER = "Other", _("Other")


class Lead(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Python defaults, and DEFAULT now() in the database for raw SQL: an ORM
    # insert must not need RETURNING, which the anon role cannot use.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)  # trigger-maintained

    name = models.CharField(max_length=255)
    email = models.EmailField(max_length=255)
    phone = models.CharField(max_length=20, null=True, blank=True)
    company = models.CharField(max_length=255, null=True, blank=True)
    role = models.CharField(max_length=100, null=True, blank=True)
    location = models.CharField(max_length=255, null=True, blank=True)
    message = models.TextField(null=True, blank=True)
    source = models.CharField(max_length=100, default=LeadSource.WEBSITE_FORM)

    status = models.CharField(max_length=50, choices=LeadStatus.choices, default=LeadStatus.NEW)

    first_response_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    conversion_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "leads"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status"], name="idx_leads_status"),
            models.Index(fields=["email"], name="idx_leads_email"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=LeadStatus.values), name="leads_status_valid"),
            models.CheckConstraint(
                condition=models.Q(message__isnull=True)
                | models.Q(LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH)),
                name="leads_message_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class LeadProduct(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.DO_NOTHING, related_name="products", db_index=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    category = models.CharField(max_length=100)
    product = models.CharField(max_length=255)
    quantity = models.CharField(max_length=100, null=True, blank=True)
    notes = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "lead_products"
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["lead", "created_at"], name="idx_lead_products_lead_id"),
            models.Index(fields=["category"], name="idx_lead_products_category"),
            # A lead's categories as an index-only scan (the leads list and the CSV export, per row).
            models.Index(fields=["lead", "category"], name="idx_lead_products_lead_cat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notes__isnull=True) | models.Q(LessThanOrEqual(Length("notes"), NOTES_MAX_LENGTH)),
                name="lead_products_notes_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.product}"


class ProductCategory(models.Model):
    """The catalogue shown on the public form; staff edit it in the admin."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "catalogue_categories"
        ordering = ["position", "name"]
        verbose_name_plural = "product categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "catalogue_products"
        ordering = ["category__position", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="catalogue_product_unique")]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name}"


class IdempotencyKey(models.Model):
    """The first response to a submission with an Idempotency-Key header."""

    scope = models.CharField(max_length=100)  # "anon" or the API user's id
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idx_idempotency_created_at")]

    def __str__(self) -> str:
        return f"{self.scope}: {self.key}"


class RateLimitBucket(models.Model):
    """Fixed-window counters in PostgreSQL, shared by every web process."""

    bucket = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "rate_limit_buckets"
        constraints = [models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_limit_bucket_unique")]

    def __str__(self) -> str:
        return f"{self.bucket} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class HoldReason(models.TextChoices):
    TOO_FAST = "too_fast", _("Sent faster than a person fills the form")
    UNSIGNED = "unsigned", _("No valid form stamp (not posted from a form we served)")


class HeldStatus(models.TextChoices):
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    DISCARDED = "discarded", _("Discarded")


class HeldSubmission(models.Model):
    """A valid form submission that tripped a soft bot check: kept for a manager, not yet a lead.

    No email, no triage, no routing and no count until a manager releases it
    (then it goes through the normal intake) or discards it (then its personal
    data is erased and only the decision stays).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Python default: written by the anon role, which cannot read a RETURNING clause back.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=20, choices=HoldReason.choices)
    payload = models.JSONField(default=dict)  # the validated submission, as leads.intake.services reads it back
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=HeldStatus.choices, default=HeldStatus.HELD)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "held_submissions"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The console's list: held items newest first, paged by (created_at, id).
            models.Index(
                fields=["-created_at", "-id"], name="idx_held_submissions_held", condition=models.Q(status="held")
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=HeldStatus.values), name="held_status_valid"),
            models.CheckConstraint(condition=models.Q(reason__in=HoldReason.values), name="held_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.payload.get('name', '?')} <{self.payload.get('email', '?')}> ({self.reason}, {self.status})"


class RejectedSubmission(models.Model):
    """An obvious bot (the hidden honeypot field filled): a short record, purged after
    REJECTED_SUBMISSION_RETENTION_DAYS, so a wrongly caught person can still be found for a while."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=20, default="honeypot")
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    trap_value = models.CharField(max_length=255, blank=True)  # what the bot typed into the hidden field
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "rejected_submissions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="idx_rejected_created_at")]

    def __str__(self) -> str:
        return f"{self.reason}: {self.email or '?'} @ {self.created_at:%Y-%m-%d %H:%M}"


from leads.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402, F401
