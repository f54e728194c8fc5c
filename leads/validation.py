"""Field rules shared by the public form and the submission API."""

from __future__ import annotations

import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError
from email_validator import validate_email as check_email


def normalize_email(raw: str) -> str:
    """A syntactically real address (RFC 5322 and DNS rules, local part at most 64 characters), domain lower-cased."""
    try:
        # strict: the local part's 64-character limit of RFC 5321, which email-validator only checks when asked.
        result = check_email(raw.strip(), check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        raise ValidationError(_("Enter a valid email address (%(reason)s)") % {"reason": str(exc)}) from exc
    return result.normalized[:255]


MIN_NAME_LETTERS = 2


def check_name(value: str) -> str:
    """A name has at least two letters (any script); zero-width, bidi and other format characters are not letters."""
    if sum(1 for char in value if unicodedata.category(char).startswith("L")) < MIN_NAME_LETTERS:
        raise ValidationError(_("Enter a name with at least two letters."))
    return value


def normalize_phone(raw: str) -> str:
    """The number in E.164 (+919876543210), read in the default region."""
    try:
        number = phonenumbers.parse(raw.strip(), settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a phone number we can call, such as +91 98765 43210.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid for its country."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_text(value: str | None) -> str | None:
    """Strip, turn empty into None, and drop NUL bytes PostgreSQL cannot store."""
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    return value or None
