"""The rules for a lead's contact details when staff correct them: the intake's rules, read once.

Name with at least two visible letters, phone in E.164, role one of LeadRole, every value
within its column; empty means "not known" (None). Email, message, source and
the creation time are what the person submitted and are not corrected.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from leads.models import Lead, LeadRole
from leads.validation import check_name, clean_text, normalize_phone
from leadsys.exceptions import DomainError

ROLE_BY_LOWER = {value.lower(): value for value in LeadRole.values}


def clean_contact_details(changes: dict[str, object]) -> dict[str, str | None]:
    """The changes, cleaned; DomainError naming the first field that is not valid."""
    cleaned: dict[str, str | None] = {}
    for field, raw in changes.items():
        if raw is not None and not isinstance(raw, str):
            raise DomainError(f"{field} must be text.", code="invalid", field=field)
        value = clean_text(raw)
        limit = Lead._meta.get_field(field).max_length
        if value is not None and len(value) > limit:
            raise DomainError(f"{field} is too long (at most {limit} characters).", code="too_long", field=field)
        if field == "name":
            try:
                value = check_name(value or "")
            except ValidationError as exc:
                raise DomainError(exc.messages[0], code="invalid", field=field) from exc
        if field == "phone" and value is not None:
            try:
                value = normalize_phone(value)
            except ValidationError as exc:
                raise DomainError(exc.messages[0], code="invalid", field=field) from exc
        if field == "role" and value is not None:
            if value.lower() not in ROLE_BY_LOWER:
                raise DomainError(
                    f"Unknown role. Use one of: {', '.join(LeadRole.values)}.", code="invalid", field=field
                )
            value = ROLE_BY_LOWER[value.lower()]
        cleaned[field] = value
    return cleaned
