"""Keyset cursors for console lists: "<ISO time>_<uuid>", the last row of the page before.

Paging by (time, id) reads one index range per page: no OFFSET, no COUNT(*).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def make_cursor(at: datetime, row_id: UUID) -> str:
    return f"{at.isoformat()}_{row_id}"


def parse_cursor(value: str) -> tuple[datetime, UUID]:
    """Raise ValidationError (shown as a 400) for anything not made by make_cursor()."""
    at_text, sep, id_text = value.rpartition("_")
    try:
        if not sep:
            raise ValueError
        at = datetime.fromisoformat(at_text)
        row_id = UUID(id_text)
    except ValueError as exc:
        raise ValidationError(_("This page link is not valid; go back to the first page."), code="cursor") from exc
    if timezone.is_naive(at):
        raise ValidationError(_("This page link is not valid; go back to the first page."), code="cursor")
    return at, row_id
