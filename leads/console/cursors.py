"""The console's side of leadsys.keyset: a cursor it cannot read is a form error, shown as a 400 page."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from leadsys.keyset import InvalidCursor, decode_cursor, encode_cursor

__all__ = ["encode_cursor", "parse_cursor"]


def parse_cursor(value: str) -> tuple[datetime, UUID]:
    try:
        return decode_cursor(value)
    except InvalidCursor as exc:
        raise ValidationError(_("This page link is not valid; go back to the first page."), code="cursor") from exc
