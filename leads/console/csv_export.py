"""CSV export of the filtered leads, streamed: rows are written as the database hands them over.

PostgreSQL writes the file itself (`COPY (query) TO STDOUT (FORMAT csv)`) and this module
passes its bytes on in blocks: the first row leaves at once, memory stays flat, and a
million rows take seconds (a row formatted in Python cost more than the query). The
query is the leads list's own (filters, owner, current priority), read as the person who
asked; labels come from leads.labels, passed in as JSON; the timestamp is ISO 8601 in the
business time zone so spreadsheets sort it; the phone is as stored, in E.164, the form
other systems import (pages group it for reading).

A file that says it is complete is complete: the last line is
`# complete: N rows`. An export that fails midway ends with a line saying so, and
one cut off (the server killed, the network gone) has no such line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
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

BLOCK_BYTES = 64 * 1024  # what one write to the client carries
# (header, field of the leads list's query)
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
LABELLED = {"source": "source", "status": "status", "priority": "priority"}  # field -> vocabulary
TYPED = ("name", "email", "phone", "company", "role", "location", "owner_name", "categories", "message")

# A cell starting with = + - @ tab or CR runs as a formula in a spreadsheet (CSV injection): it gets
# a leading quote, unless it is a plain number ("+91 98..." stays a phone number).
# ascii() of the first character (61 =, 43 +, 45 -, 64 @, 9 tab, 13 CR) allocates nothing: over
# nine columns of a million rows, measurably cheaper than left().
SPREADSHEET_SAFE_SQL = (
    "(CASE WHEN ascii({v}) IN (61, 43, 45, 64, 9, 13) AND {v} !~ '^[+-]?[0-9 ().-]+$' THEN '''' || {v} ELSE {v} END)"
)
ISO_TIME_SQL = """to_char({v}, 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM')"""


def _column_sql(field: str) -> str:
    value = f"x.{field}"
    if field == "created_at":
        return ISO_TIME_SQL.format(v=value)
    if field in LABELLED:
        # Every code of these vocabularies has a label (checked by the database and leads/tests/test_labels.py).
        return f"coalesce(%s::jsonb ->> {value}, {value})"
    if field in TYPED:
        return SPREADSHEET_SAFE_SQL.format(v=value)
    return value


def export_copy_sql(leads: QuerySet[Lead]) -> tuple[str, list[Any]]:
    """The COPY statement writing `leads` as CSV rows, and its parameters (bound client-side by psycopg)."""
    fields = [field for _, field in COLUMNS]
    inner_sql, inner_params = with_categories(leads).values_list(*fields).query.sql_with_params()
    label_maps = [
        json.dumps({code: str(text) for code, text in labels.LABELS.get(vocabulary, {}).items()})
        for vocabulary in LABELLED.values()
    ]
    select = ", ".join(_column_sql(field) for field in fields)
    sql = (
        f"COPY (SELECT {select} FROM ({inner_sql}) AS x ORDER BY x.created_at DESC, x.id DESC) "  # noqa: S608 - constant SQL, values bound
        "TO STDOUT (FORMAT csv)"
    )
    return sql, [*label_maps, *inner_params]


def _header() -> str:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([labels.label("column", header) for header, _ in COLUMNS])
    return line.getvalue()


def _rows(leads: QuerySet[Lead], *, user: User, filters: dict[str, Any]) -> Iterator[bytes]:
    """The rows, read as the person who asked (the view's role ended when it returned the response,
    before the first row is read), and the export recorded with its count, even if the download
    stops half-way."""
    sql, params = export_copy_sql(leads)
    written = 0
    try:
        try:
            with staff_role(user_id=user.id, is_manager=is_manager(user)), connection.cursor() as cursor:
                cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
                yield _header().encode()
                block = bytearray()
                with cursor.copy(sql, params) as copy:
                    for row in copy:  # one CSV row (newlines in a message included) per item
                        block += row
                        written += 1
                        if len(block) >= BLOCK_BYTES:
                            yield bytes(block)
                            block.clear()
                yield bytes(block)
        except (DatabaseError, psycopg.Error):
            logger.exception("CSV export failed after %d rows", written)
            yield f"# export FAILED after {written} rows: this file is incomplete\n".encode()
            return
        yield f"# complete: {written} rows\n".encode()
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
