"""CSV export of the filtered leads, streamed: rows are written as the database hands them over.

The rows are read inside a transaction, so iterator(chunk_size=...) uses a plain
server-side cursor: the first row leaves at once and a million rows cost the
memory of one chunk. (Outside a transaction Django declares the cursor WITH HOLD,
which makes PostgreSQL materialise the whole result before the first row.)

A file that says it is complete is complete: the last line is
`# complete: N rows`. An export that fails midway ends with a line saying so, and
one cut off (the server killed, the network gone) has no such line.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from activity.models import StaffReadKind
from activity.services import staff_read_record
from leads import labels
from leads.console.lead_filters import with_categories
from leads.console.permissions import is_manager
from leads.models import Lead
from leadsys.roles import staff_role

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
COLUMNS = (
    ("id", "id"),
    ("created_at", "created_at"),
    ("name", "name"),
    ("email", "email"),
    ("phone", "phone"),
    ("company", "company"),
    ("role", "role"),
    ("location", "location"),
    ("source", "source"),
    ("status", "status"),
    ("priority", "priority"),
    ("owner", "owner_name"),
    ("product_categories", "categories"),
    ("message", "message"),
)
LABELLED = {8: "source", 9: "status", 10: "priority"}  # column index -> vocabulary
# A cell starting with one of these runs as a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


PLAIN_NUMBER = re.compile(r"[+-]?[\d ().-]+")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):  # "+91 98..." stays a phone number
        return "'" + text
    return text


def _rows(leads: QuerySet[Lead], *, user: User, filters: dict[str, Any]) -> Iterator[str]:
    """The rows, read as the person who asked (the view's role ended when it returned the response,
    before the first row is read), and the export recorded with its count, even if the download
    stops half-way."""
    writer = csv.writer(_Echo())
    zone = ZoneInfo(settings.TIME_ZONE)
    fields = [field for _, field in COLUMNS]
    # Each label once per export, not once per row: at a million rows the lookups added up.
    known = {
        index: dict(labels.choices(vocabulary, list(labels.LABELS.get(vocabulary, {}))))
        for index, vocabulary in LABELLED.items()
    }
    written = 0
    try:
        try:
            with staff_role(user_id=user.id, is_manager=is_manager(user)):
                yield writer.writerow([labels.label("column", header) for header, _ in COLUMNS])
                for row in with_categories(leads).values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
                    values = list(row)
                    values[1] = timezone.localtime(values[1], zone).isoformat()
                    # Codes become the labels people read; the timestamp stays ISO 8601 so spreadsheets sort it.
                    for index, vocabulary in LABELLED.items():
                        code = values[index]
                        values[index] = (known[index].get(code) or labels.label(vocabulary, code)) if code else ""
                    values[4] = labels.phone_display(values[4])
                    yield writer.writerow([spreadsheet_safe(v) for v in values])
                    written += 1
        except DatabaseError:
            logger.exception("CSV export failed after %d rows", written)
            yield f"# export FAILED after {written} rows: this file is incomplete\r\n"
            return
        yield f"# complete: {written} rows\r\n"
    finally:
        staff_read_record(user=user, kind=StaffReadKind.CSV_EXPORT, filters=filters, row_count=written)


def _allow_long_export() -> None:
    """Under uWSGI, give this request EXPORT_TIMEOUT_SECONDS instead of the 30 s every other request has."""
    try:
        import uwsgi  # noqa: PLC0415 - only exists inside the uWSGI server
    except ImportError:
        return
    uwsgi.set_user_harakiri(settings.EXPORT_TIMEOUT_SECONDS)


def leads_csv_response(leads: QuerySet[Lead], *, user: User, filters: dict[str, Any]) -> StreamingHttpResponse:
    stamp = timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d-%H%M")
    _allow_long_export()
    response = StreamingHttpResponse(_rows(leads, user=user, filters=filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    return response
