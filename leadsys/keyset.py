"""The one keyset cursor: the (time, id) of the last row of the page before, opaque to the reader.

Paging by (time, id) reads one index range per page: no OFFSET, no COUNT(*).
The API and the console hand out the same cursor and read it the same way.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone


class InvalidCursor(ValueError):
    """Not a cursor this site gave out (each door says so in its own way: a 400 either way)."""


def encode_cursor(at: datetime, row_id: UUID) -> str:
    raw = json.dumps([at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(value: str) -> tuple[datetime, UUID]:
    try:
        at_text, id_text = json.loads(base64.urlsafe_b64decode(value.encode()))
        at, row_id = datetime.fromisoformat(at_text), UUID(id_text)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise InvalidCursor(value) from exc
    if timezone.is_naive(at):
        raise InvalidCursor(value)
    return at, row_id


def before_row(table: str, time_column: str, cursor: tuple[datetime, UUID]) -> RawSQL:
    """`(time, id) < cursor`, for a list ordered by both descending: a row comparison an index serves as a range.

    `table` and `time_column` are the caller's constants, never input.
    """
    return RawSQL(f"({table}.{time_column}, {table}.id) < (%s, %s)", list(cursor), output_field=BooleanField())


def from_row(table: str, time_column: str, cursor: tuple[datetime, UUID]) -> RawSQL:
    """`(time, id) >= cursor`: the cursor's row and those above it, to walk back a page (read ascending)."""
    return RawSQL(f"({table}.{time_column}, {table}.id) >= (%s, %s)", list(cursor), output_field=BooleanField())
