"""The one display layer: every vocabulary value, phone number and time as people read it.

Pages (through the `display` template filters), CSV export headers and staff
emails all come here, so `website_form`, `no_answer` or `send_catalog` never
reach a person. A value this module does not know is humanized, never shown raw.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import LeadSource, LeadStatus

# vocabulary -> value -> label. Status and source come from their TextChoices.
LABELS: dict[str, dict[str, str]] = {
    "status": {value: str(label) for value, label in LeadStatus.choices},
    "source": {value: str(label) for value, label in LeadSource.choices},
    "intent": {
        "quote_request": _("Quote request"),
        "product_inquiry": _("Product inquiry"),
        "site_visit_request": _("Site visit request"),
        "sample_request": _("Sample request"),
        "dealership_partnership": _("Dealership"),
        "support_complaint": _("Support or complaint"),
        "job_application": _("Job application"),
        "spam": _("Spam"),
        "other": _("Other"),
        "unknown": _("Not triaged"),
    },
    "lead_type": {
        "home_owner": _("Home owner"),
        "architect": _("Architect"),
        "builder": _("Builder"),
        "contractor": _("Contractor"),
        "interior_designer": _("Interior designer"),
        "dealer": _("Dealer"),
        "other": _("Other"),
    },
    "priority": {"high": _("High"), "medium": _("Medium"), "low": _("Low"), "unknown": _("Not triaged")},
    "suggested_action": {
        "call_within_30_min": _("Call within 30 minutes"),
        "call_today": _("Call today"),
        "schedule_site_visit": _("Schedule a site visit"),
        "send_samples": _("Send samples"),
        "send_catalog": _("Send the catalogue"),
        "nurture_email": _("Nurture by email"),
        "forward_to_support": _("Forward to support"),
        "discard_spam": _("Discard as spam"),
    },
    "follow_up_action": {
        "call": _("Call"),
        "email": _("Email"),
        "meeting": _("Meeting"),
        "site_visit": _("Site visit"),
        "send_samples": _("Send samples"),
        "send_catalog": _("Send the catalogue"),
        "whatsapp": _("WhatsApp message"),
    },
    "call_outcome": {
        "connected": _("Connected"),
        "no_answer": _("No answer"),
        "voicemail": _("Voicemail"),
        "wrong_number": _("Wrong number"),
        "busy": _("Busy"),
    },
    "approval_type": {
        "high_value_lead": _("High-value lead"),
        "discount": _("Discount"),
        "custom_quote": _("Custom quote"),
        "credit_terms": _("Credit terms"),
        "site_visit": _("Site visit"),
        "other": _("Other"),
    },
    "assignment_status": {"active": _("Active"), "completed": _("Completed"), "reassigned": _("Reassigned")},
    "activity_status": {
        "pending": _("Pending"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "failed": _("Failed"),
    },
    "rule": {
        "round_robin": _("Round robin"),
        "manager_choice": _("Manager's choice"),
        "returning_contact": _("Returning contact"),
    },
    # CSV export columns: the header a person reads for each field.
    "column": {
        "id": _("Lead ID"),
        "created_at": _("Received"),
        "name": _("Name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "company": _("Company"),
        "role": _("Role"),
        "location": _("Location"),
        "source": _("Source"),
        "status": _("Status"),
        "priority": _("Priority"),
        "owner": _("Owner"),
        "product_categories": _("Product categories"),
        "message": _("Message"),
        "returning": _("Returning contact"),
    },
}


def humanize(code: object) -> str:
    return str(code).replace("_", " ").strip().capitalize() if code else "—"


def label(vocabulary: str, value: object) -> str:
    """The label of `value` in `vocabulary`; "—" for nothing, the humanized value for one we do not know."""
    if value is None or value == "":
        return "—"
    known = LABELS.get(vocabulary, {}).get(str(value))
    return str(known) if known is not None else humanize(value)


def choices(vocabulary: str, values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(value, label(vocabulary, value)) for value in values]


def phone_display(value: str | None) -> str:
    """One phone format: international, grouped (+91 98450 12345); what cannot be parsed stays as given."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


DATE_FORMAT = "%d %b %Y, %H:%M"


def when(value: datetime | None) -> str:
    """One date format everywhere: 01 Dec 2026, 14:21 (business time zone)."""
    if value is None:
        return "—"
    return timezone.localtime(value).strftime(DATE_FORMAT)


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """ "in 28 min", "3 h ago", "2 days ago": for times near enough that the distance is what matters."""
    if value is None:
        return ""
    now = now or timezone.now()
    delta = value - now
    future = delta >= timedelta(0)
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return str(_("just now"))
    if minutes < 60:
        amount = f"{minutes} min"
    elif minutes < 48 * 60:
        amount = f"{minutes // 60} h"
    else:
        amount = f"{minutes // (24 * 60)} days"
    return f"in {amount}" if future else f"{amount} ago"
