"""Reads for leads: wrappers around the SQL functions, returning plain data, and the rule for a lead's current triage."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import BooleanField, CharField, QuerySet, UUIDField
from django.db.models.expressions import RawSQL

from leads.models import Product

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


# What the leads list, the board and the CSV export show beside a lead's row, kept per lead by
# trigger (leads/migrations/0022, assignments/migrations/0010): its product categories, and its
# owner: the latest active or completed assignment, a rule written only in that migration.
# NULL when the lead has none.
_LIST_COLUMN_SQL = "SELECT c.{key} FROM lead_list_columns c WHERE c.lead_id = leads.id"
LIST_COLUMN_KEYS = ("categories", "owner_assignment_id", "owner_id", "owner_name")
_OWNED_BY_SQL = "leads.id IN (SELECT c.lead_id FROM lead_list_columns c WHERE c.owner_id = %s)"


def with_list_columns(leads: QuerySet, *keys: str) -> QuerySet:
    """Annotate the lead's `categories`, `owner_assignment_id`, `owner_id` or `owner_name` from its list columns."""
    unknown = set(keys) - set(LIST_COLUMN_KEYS)
    if unknown:
        raise ValueError(f"No list column {sorted(unknown)!r}")
    fields = {"owner_assignment_id": UUIDField()}
    return leads.annotate(
        **{key: RawSQL(_LIST_COLUMN_SQL.format(key=key), [], output_field=fields.get(key, CharField())) for key in keys}
    )


def owned_by(leads: QuerySet, owner_id: str) -> QuerySet:
    """The leads whose owner is `owner_id`, found by the owner index of the list columns."""
    return leads.filter(RawSQL(_OWNED_BY_SQL, [owner_id], output_field=BooleanField()))


def lead_full(*, lead_id: UUID) -> dict[str, Any] | None:
    """get_lead_full(): the lead with products, assignments and events, or None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_lead_full(%s)::text", [str(lead_id)])
        row = cursor.fetchone()
    return json.loads(row[0]) if row and row[0] else None


def dashboard_stats() -> dict[str, Any]:
    """get_dashboard_stats(): the plan's seven dashboard figures and sla_breaches_30d."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_dashboard_stats()::text")
        row = cursor.fetchone()
    return json.loads(row[0])


# --- Returning contacts ---------------------------------------------------------------
# The one rule for "the same person": the same email (case-insensitive) or the same phone
# in E.164. Both sides are index lookups: lower(email) through lead_ids_by_email() (an index
# under row-level security too, leads/migrations/0019) and idx_leads_phone_created.

# Correlated on the outer `leads` row: true when this person had an enquiry before this one.
RETURNING_SQL = """(
  EXISTS (SELECT 1 FROM leads p
          WHERE p.id IN (SELECT lead_ids_by_email(leads.email)) AND p.created_at < leads.created_at)
  OR (leads.phone IS NOT NULL
      AND EXISTS (SELECT 1 FROM leads p WHERE p.phone = leads.phone AND p.created_at < leads.created_at))
)"""

# The ids of this person's enquiries before %(before)s, by %(email)s or %(phone)s (E.164).
EARLIER_SAME_PERSON_SQL = """
  SELECT p.id FROM leads p WHERE p.id IN (SELECT lead_ids_by_email(%(email)s)) AND p.created_at < %(before)s
  UNION
  SELECT p.id FROM leads p WHERE %(phone)s::text IS NOT NULL AND p.phone = %(phone)s AND p.created_at < %(before)s
"""

_EARLIER_SQL = f"""
SELECT l.id, l.created_at, l.status, l.source,
       (SELECT string_agg(lp.product, ', ' ORDER BY lp.product) FROM lead_products lp WHERE lp.lead_id = l.id)
FROM leads l
WHERE l.id IN ({EARLIER_SAME_PERSON_SQL})
ORDER BY l.created_at DESC, l.id DESC
LIMIT %(limit)s
"""  # noqa: S608 - constant SQL, values bound


def with_returning(leads: QuerySet) -> QuerySet:
    """Annotate `returning`: the person had enquired before this lead."""
    return leads.annotate(returning=RawSQL(RETURNING_SQL, [], output_field=BooleanField()))


def earlier_enquiries(*, email: str, phone: str | None, before: Any, limit: int = 10) -> list[dict[str, Any]]:
    """The same person's enquiries before `before`, newest first: id, created_at, status, source, products."""
    with connection.cursor() as cursor:
        cursor.execute(_EARLIER_SQL, {"email": email, "phone": phone, "before": before, "limit": limit})
        keys = ("id", "created_at", "status", "source", "products")
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def catalogue_pairs(products: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Which of these (category, product) pairs the catalogue lists: the rest were typed in free text.

    Intake keeps a free-text interest (a partner's system names products its own way;
    refusing it would lose the lead); pages mark it "not in catalogue" from this.
    """
    pairs = {(p.get("category"), p.get("product")) for p in products if p.get("product")}
    if not pairs:
        return set()
    names = {name for _, name in pairs}
    rows = Product.objects.filter(name__in=names).values_list("category__name", "name")
    return {row for row in rows if row in pairs}
