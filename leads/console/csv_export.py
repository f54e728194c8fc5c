"""CSV export of the filtered leads, streamed: rows are written as the database hands them over.

iterator(chunk_size=...) reads through a server-side cursor, so 100,000 rows
cost the memory of one chunk, not of the whole result.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from leads import labels
from leads.console.lead_filters import with_categories
from leads.models import Lead

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
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):  # "+91 98..." stays a phone number
        return "'" + text
    return text


def _rows(leads: QuerySet[Lead]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    zone = ZoneInfo(settings.TIME_ZONE)
    yield writer.writerow([labels.label("column", header) for header, _ in COLUMNS])
    fields = [field for _, field in COLUMNS]
    for row in with_categories(leads).values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        values = list(row)
        values[1] = timezone.localtime(values[1], zone).isoformat()
        # Codes become the labels people read; the timestamp stays ISO 8601 so spreadsheets sort it.
        for index, vocabulary in LABELLED.items():
            values[index] = labels.label(vocabulary, values[index]) if values[index] else ""
        values[4] = labels.phone_display(values[4])
        yield writer.writerow([spreadsheet_safe(v) for v in values])


def leads_csv_response(leads: QuerySet[Lead]) -> StreamingHttpResponse:
    stamp = timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_rows(leads), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    return response
