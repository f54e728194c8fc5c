"""The submission API's body check: serializers.SubmissionIn's rules, without DRF's per-field machinery.

SubmissionIn stays the documented request body (OpenAPI); this module is what
the endpoint runs, because building and running ~20 DRF field objects was a
third of the request's Python time. It returns what SubmissionIn's
validated_data would hold and raises the same ValidationError detail (same
keys, same messages), so error bodies are unchanged;
leads/intake/tests/test_intake_input_agreement.py holds the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from leads.intake.serializers import PRIVACY_REQUIRED, ROLE_BY_LOWER, UNKNOWN_ROLE, blank_to_none
from leads.intake.services import ProductInterest, Submission, consent_now
from leads.models import MESSAGE_MAX_LENGTH, NOTES_MAX_LENGTH, LeadSource
from leads.validation import check_name, normalize_email, normalize_phone
from leadsys.api_fields import UNKNOWN_FIELD, UnknownFields, field_label

NON_FIELD = "non_field_errors"
MAX_INTERESTS = 20
SOURCES = frozenset(LeadSource.values)
MISSING = object()


class Invalid(Exception):
    """One field's errors, shaped as DRF reports them (a list, or a dict for a nested object)."""

    def __init__(self, detail: list[str] | dict[str, Any]) -> None:
        self.detail = detail


@dataclass(frozen=True)
class Text:
    max_length: int
    min_length: int | None = None
    required: bool = False  # required text is also never null or blank; optional text may be both


NAME = Text(255, min_length=2, required=True)
EMAIL = Text(255, required=True)
PHONE = Text(32)
COMPANY = Text(255)
ROLE = Text(100)
LOCATION = Text(255)
MESSAGE = Text(MESSAGE_MAX_LENGTH)
CATEGORY = Text(100, required=True)
PRODUCT = Text(255, required=True)
QUANTITY = Text(100)
NOTES = Text(NOTES_MAX_LENGTH)


def submission_data(data: Any) -> dict[str, Any]:
    """The validated body, as SubmissionIn.validated_data; raises ValidationError like is_valid(raise_exception=True)."""
    if data is None:
        raise ValidationError({NON_FIELD: ["No data provided"]})
    unknown = _unknown(data, FIELDS)
    if unknown:
        raise UnknownFields(unknown)
    try:
        return _object(data, FIELDS)
    except Invalid as exc:
        raise ValidationError(exc.detail) from exc


def submission_from(data: dict[str, Any], *, trusted: bool, ip_address: str | None) -> Submission:
    """A Submission from validated data; only a caller we know (`trusted`) may say where the lead came from."""
    data = blank_to_none(data, "phone", "company", "role", "location", "message")
    source = (data.get("source") if trusted else None) or LeadSource.WEBSITE_FORM
    consent = data.get("consent")
    return Submission(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        company=data["company"],
        role=data["role"],
        location=data["location"],
        message=data["message"],
        source=str(source),
        product_interests=tuple(
            ProductInterest(
                category=item["category"],
                product=item["product"],
                quantity=item.get("quantity") or None,
                notes=item.get("notes") or None,
            )
            for item in data.get("product_interests") or []
        ),
        consent=consent_now(marketing_opt_in=consent["marketing_opt_in"]) if consent else None,
        ip_address=ip_address,
    )


def text(value: Any, rule: Text) -> Any:
    """DRF's StrictCharField(trim_whitespace=True): blank first, then null, type, and every length/character rule."""
    if value is MISSING:
        if rule.required:
            raise Invalid(["This field is required."])
        return MISSING
    if value == "" or str(value).strip() == "":
        if rule.required:
            raise Invalid(["This field may not be blank."])
        return ""
    if value is None:
        if rule.required:
            raise Invalid(["This field may not be null."])
        return None
    if not isinstance(value, str):
        raise Invalid(["Must be a string."])
    value = value.strip()
    problems = []
    if len(value) > rule.max_length:
        problems.append(f"Ensure this field has no more than {rule.max_length} characters.")
    if rule.min_length is not None and len(value) < rule.min_length:
        problems.append(f"Ensure this field has at least {rule.min_length} characters.")
    if "\x00" in value:
        problems.append("Null characters are not allowed.")
    surrogate = next((char for char in value if "\ud800" <= char <= "\udfff"), None)
    if surrogate is not None:
        problems.append(f"Surrogate characters are not allowed: U+{ord(surrogate):X}.")
    if problems:
        raise Invalid(problems)
    return value


def boolean(value: Any, *, default: Any = MISSING) -> Any:
    if value is MISSING:
        if default is MISSING:
            raise Invalid(["This field is required."])
        return default
    if value is None:
        raise Invalid(["This field may not be null."])
    if not isinstance(value, bool):
        raise Invalid(["Must be true or false."])
    return value


def _name(value: Any) -> Any:
    return _django_checked(check_name, text(value, NAME))


def _email(value: Any) -> Any:
    value = text(value, EMAIL)
    return _django_checked(normalize_email, value)


def _phone(value: Any) -> Any:
    value = text(value, PHONE)
    if value is MISSING:
        return MISSING
    return _django_checked(normalize_phone, value) if value else None


def _role(value: Any) -> Any:
    value = text(value, ROLE)
    if value is MISSING:
        return MISSING
    if not value:
        return None
    role = ROLE_BY_LOWER.get(value.strip().lower())
    if role is None:
        raise Invalid([UNKNOWN_ROLE])
    return role


def _source(value: Any) -> Any:
    if value is MISSING:
        return MISSING
    if value is None:
        raise Invalid(["This field may not be null."])
    if not isinstance(value, str):
        raise Invalid(["Must be a string."])
    if value not in SOURCES:
        raise Invalid([f'"{value}" is not a valid choice.'])
    return value


def _interests(value: Any) -> Any:
    if value is MISSING:
        return MISSING
    if value is None:
        raise Invalid(["This field may not be null."])
    if not isinstance(value, list):
        raise Invalid({NON_FIELD: [f'Expected a list of items but got type "{type(value).__name__}".']})
    if len(value) > MAX_INTERESTS:
        raise Invalid({NON_FIELD: [f"Ensure this field has no more than {MAX_INTERESTS} elements."]})
    valid: list[dict[str, Any]] = []
    errors: dict[int, Any] = {}  # by position, as DRF's LIST_SERIALIZER_ERRORS_AS_DICT
    for index, item in enumerate(value):
        try:
            valid.append(_object(item, INTEREST_FIELDS))
        except Invalid as exc:
            errors[index] = exc.detail
    if errors:
        raise Invalid(errors)  # type: ignore[arg-type]
    return valid


def _consent(value: Any) -> Any:
    if value is MISSING:
        return MISSING
    return _object(value, CONSENT_FIELDS)


def _accepted(value: Any) -> bool:
    if not boolean(value):
        raise Invalid([PRIVACY_REQUIRED])
    return True


def _object(value: Any, fields: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """A nested serializer: null and non-objects refused whole, otherwise every field's errors at once."""
    if value is None:
        raise Invalid(["This field may not be null."])
    if not isinstance(value, dict):
        raise Invalid({NON_FIELD: [_not_a_dict(value)]})
    valid: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, check in fields:
        try:
            checked = check(value.get(name, MISSING))
        except Invalid as exc:
            errors[name] = exc.detail
        else:
            if checked is not MISSING:
                valid[name] = checked
    if errors:
        raise Invalid(errors)
    return valid


def _unknown(value: Any, fields: tuple[tuple[str, Any], ...]) -> dict[Any, Any]:
    """StrictSerializer's unknown_fields(): names no field declares, nested objects and lists included."""
    if not isinstance(value, dict):
        return {}
    known = dict(fields)
    found: dict[Any, Any] = {}
    for name, item in value.items():
        if name not in known:
            found[field_label(name)] = [UNKNOWN_FIELD]
        elif name in NESTED:
            inner = NESTED[name](item)
            if inner:
                found[name] = inner
    return found


def _unknown_in_list(value: Any) -> dict[int, Any]:
    if not isinstance(value, list):
        return {}
    found = {index: _unknown(item, INTEREST_FIELDS) for index, item in enumerate(value)}
    return {index: names for index, names in found.items() if names}


def _not_a_dict(value: Any) -> str:
    return f"Invalid data. Expected a dictionary, but got {type(value).__name__}."


def _django_checked(normalize: Any, value: str) -> str:
    try:
        return normalize(value)
    except DjangoValidationError as exc:
        raise Invalid(exc.messages) from exc


INTEREST_FIELDS: tuple[tuple[str, Any], ...] = (
    ("category", lambda value: text(value, CATEGORY)),
    ("product", lambda value: text(value, PRODUCT)),
    ("quantity", lambda value: text(value, QUANTITY)),
    ("notes", lambda value: text(value, NOTES)),
)
CONSENT_FIELDS: tuple[tuple[str, Any], ...] = (
    ("privacy_accepted", _accepted),
    ("marketing_opt_in", lambda value: boolean(value, default=False)),
)
# In SubmissionIn's order: error bodies list fields in the same order as before.
FIELDS: tuple[tuple[str, Any], ...] = (
    ("name", _name),
    ("email", _email),
    ("phone", _phone),
    ("company", lambda value: text(value, COMPANY)),
    ("role", _role),
    ("location", lambda value: text(value, LOCATION)),
    ("message", lambda value: text(value, MESSAGE)),
    ("source", _source),
    ("product_interests", _interests),
    ("consent", _consent),
)
NESTED: dict[str, Any] = {
    "product_interests": _unknown_in_list,
    "consent": lambda value: _unknown(value, CONSENT_FIELDS),
}
