"""Reads for leads: wrappers around the SQL functions, returning plain data, and the rule for a lead's current triage."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import CharField, QuerySet
from django.db.models.expressions import RawSQL

# THE rule for a lead's current priority and intent: its latest ai_result, with the
# latest person's correction of that result on top (get_lead_full()'s ai_analysis
# shows the same). The database keeps it per lead in lead_current_triage, by trigger
# (activity/migrations/0007), so it is a primary-key lookup that needs no fresh
# statistics. Correlated on the outer `leads` row; every reader (API and console
# filters, dashboard mix, CSV export, routing) goes through current_triage_sql().
_CURRENT_TRIAGE_SQL = "SELECT t.{key} FROM lead_current_triage t WHERE t.lead_id = {lead_id}"
TRIAGE_KEYS = ("priority", "intent")


def current_triage_sql(key: str, *, lead_id: str = "leads.id") -> str:
    """The scalar subquery giving a lead's current `priority` or `intent` (NULL before triage).

    `lead_id` is the SQL expression of the outer lead's id: a constant of the caller, never input.
    """
    if key not in TRIAGE_KEYS:
        raise ValueError(f"No triage key {key!r}")
    return _CURRENT_TRIAGE_SQL.format(key=key, lead_id=lead_id)


def with_current_triage(leads: QuerySet) -> QuerySet:
    """Annotate `priority` and `intent` by the one rule, so they can be shown and filtered on."""
    return leads.annotate(**{key: RawSQL(current_triage_sql(key), [], output_field=CharField()) for key in TRIAGE_KEYS})


def current_triage(*, lead_id: UUID) -> dict[str, str | None]:
    """The lead's current priority and intent, by the one rule; both None before triage."""
    select = ", ".join(f"({current_triage_sql(key, lead_id='%s')})" for key in TRIAGE_KEYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}", [lead_id] * len(TRIAGE_KEYS))  # noqa: S608 - constant SQL
        row = cursor.fetchone()
    return dict(zip(TRIAGE_KEYS, row, strict=True))


def lead_full(*, lead_id: UUID) -> dict[str, Any] | None:
    """get_lead_full(): the lead with products, assignments and events, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_lead_full(%s)::text", [str(lead_id)])
        row = cursor.fetchone()
    return json.loads(row[0]) if row and row[0] else None


def dashboard_stats() -> dict[str, Any]:
    """get_dashboard_stats(): the seven dashboard figures."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_dashboard_stats()::text")
        row = cursor.fetchone()
    return json.loads(row[0])
