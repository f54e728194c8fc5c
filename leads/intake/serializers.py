"""Input and output shapes of the lead API. Validation only, no business logic."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from rest_framework import serializers

from leads.models import MESSAGE_MAX_LENGTH, NOTES_MAX_LENGTH, LeadRole, LeadSource
from leads.validation import check_name, normalize_email, normalize_phone
from leadsys.api_fields import WHITESPACE, StrictBooleanField, StrictCharField, StrictChoiceField, StrictSerializer

ROLE_BY_LOWER = {value.lower(): value for value in LeadRole.values}
UNKNOWN_ROLE = f"Unknown role. Use one of: {', '.join(LeadRole.values)}."
PRIVACY_REQUIRED = "The privacy notice must be accepted to record consent."


def _any_case(word: str) -> str:
    return "".join(
        f"[{char.upper()}{char.lower()}]" if char.isalpha() else char if char == " " else re.escape(char)
        for char in word
    )


# A role is one of LeadRole's, in any case, with space around it; blank means none.
ROLE_PATTERN = rf"^[{WHITESPACE}]*(?:(?:{'|'.join(_any_case(role) for role in LeadRole.values)})[{WHITESPACE}]*)?$"


# The schema's words for rules a pattern cannot say: what email-validator and libphonenumber accept.
# email-validator refuses addresses over 254 characters (RFC 5321), whatever the field allows, and
# domains of special use (example.test, printer.local).
SPECIAL_USE_DOMAIN = rf"@(?:.*\.)?(?:{'|'.join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)})\.?$"


@extend_schema_field(
    {
        "type": "string",
        "format": "email",
        "maxLength": 254,
        "not": {"pattern": SPECIAL_USE_DOMAIN},
        "description": "Not at a special-use domain (.test, .local, .invalid, .localhost, .onion, .arpa).",
    }
)
class EmailField(StrictCharField):
    pass


@extend_schema_field(
    {"type": "string", "format": "phone", "description": "A number libphonenumber reads as valid; stored as E.164."}
)
class PhoneField(StrictCharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "person-name",
        "description": "At least two letters of any script (spaces, marks and signs do not count); at most 255 characters.",
    }
)
class NameField(StrictCharField):
    pass


@extend_schema_field(
    {"type": "string", "pattern": ROLE_PATTERN, "description": f"One of: {', '.join(LeadRole.values)}."}
)
class RoleField(StrictCharField):
    pass


@extend_schema_field({"type": "boolean", "enum": [True]})
class AcceptedField(StrictBooleanField):
    pass


# The request limit is the message's real one; MESSAGE_MAX_LENGTH cannot be reached under the default.
MESSAGE_HELP = (
    f"Any length that fits the request body limit ({settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes: a larger body is a "
    f"413); stored whole. At most {MESSAGE_MAX_LENGTH} characters, trimmed."
)


class ProductInterestIn(StrictSerializer):
    category = StrictCharField(max_length=100)
    product = StrictCharField(max_length=255)
    quantity = StrictCharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    notes = StrictCharField(max_length=NOTES_MAX_LENGTH, required=False, allow_null=True, allow_blank=True)


class ConsentIn(StrictSerializer):
    privacy_accepted = AcceptedField(help_text="Must be true.")
    marketing_opt_in = StrictBooleanField(default=False)

    def validate_privacy_accepted(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(PRIVACY_REQUIRED)
        return value


class SubmissionIn(StrictSerializer):
    """The plan's LeadSubmission."""

    name = NameField(min_length=2, max_length=255)
    email = EmailField(max_length=255)
    phone = PhoneField(max_length=32, required=False, allow_null=True, allow_blank=True)
    company = StrictCharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    role = RoleField(max_length=100, required=False, allow_null=True, allow_blank=True)
    location = StrictCharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    message = StrictCharField(
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=True,
        help_text=MESSAGE_HELP,
    )
    source = StrictChoiceField(choices=LeadSource.values, required=False)
    product_interests = ProductInterestIn(many=True, required=False, max_length=20)
    consent = ConsentIn(required=False)

    def validate_name(self, value: str) -> str:
        try:
            return check_name(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_email(self, value: str) -> str:
        try:
            return normalize_email(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_phone(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return normalize_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_role(self, value: str | None) -> str | None:
        if not value:
            return None
        role = ROLE_BY_LOWER.get(value.strip().lower())
        if role is None:
            raise serializers.ValidationError(UNKNOWN_ROLE)
        return role


class SubmissionOut(serializers.Serializer):
    lead_id = serializers.UUIDField()
    merged = serializers.BooleanField(help_text="True when it joined the same email's lead of the same day.")


def blank_to_none(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {**data, **{key: (data.get(key) or None) for key in keys}}
