"""Reads for leads: wrappers around the SQL functions, returning plain data."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import connection


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
