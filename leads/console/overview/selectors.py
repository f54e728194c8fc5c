"""Aggregates behind the dashboard charts: plain data, read in SQL with parameters.

The charts sum counter tables the database keeps as rows are written (leads 0018,
assignments 0008, activity 0007), so their cost does not grow with the month's leads;
open leads per rep reads the active-assignment index.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class DailySources:
    days: list[date]
    sources: list[str]
    counts: dict[tuple[date, str], int]


@dataclass(frozen=True)
class WeeklySla:
    weeks: list[date]  # Mondays
    met: dict[date, int]
    missed: dict[date, int]


def business_today() -> date:
    return timezone.localdate(timezone.now(), timezone=ZoneInfo(settings.TIME_ZONE))


def leads_per_day_by_source(*, days: int = 30) -> DailySources:
    """Leads created on each of the last `days` business days (today included), by source.

    Sums of lead_daily_source_counts (leads/migrations/0018).
    """
    first = business_today() - timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT business_date, source, sum(n)::bigint FROM lead_daily_source_counts
            WHERE business_date >= %s GROUP BY 1, 2 HAVING sum(n) <> 0
            """,
            [first],
        )
        rows = cursor.fetchall()
    counts = {(day, source): n for day, source, n in rows}
    totals = Counter()
    for (_, source), n in counts.items():
        totals[source] += n
    return DailySources(
        days=[first + timedelta(days=i) for i in range(days)],
        sources=sorted(totals, key=lambda s: (-totals[s], s)),
        counts=counts,
    )


def sla_per_week(*, weeks: int = 8) -> WeeklySla:
    """Completed assignments per business week (Monday first): SLA met or missed.

    Sums of assignment_daily_sla (assignments/migrations/0008), by business day of completion.
    """
    today = business_today()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT date_trunc('week', business_date)::date AS week, sum(met)::bigint, sum(missed)::bigint
            FROM assignment_daily_sla WHERE business_date >= %s GROUP BY 1
            """,
            [first],
        )
        rows = cursor.fetchall()
    met: dict[date, int] = defaultdict(int)
    missed: dict[date, int] = defaultdict(int)
    for week, n_met, n_missed in rows:
        if n_met:
            met[week] += n_met
        if n_missed:
            missed[week] += n_missed
    return WeeklySla(weeks=[first + timedelta(weeks=i) for i in range(weeks)], met=dict(met), missed=dict(missed))


def priority_and_intent_mix(*, days: int = 30) -> tuple[Counter, Counter]:
    """Current priority and intent of the leads of the last `days` days; 'unknown' where not triaged.

    Sums of counters the database keeps as each lead's current triage changes
    (activity/migrations/0007), so the cost does not grow with the month's leads.
    """
    first = business_today() - timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT priority, intent, sum(n) FROM lead_triage_daily_counts
            WHERE business_date >= %s GROUP BY 1, 2 HAVING sum(n) <> 0
            """,
            [first],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT coalesce(sum(n), 0) FROM lead_daily_counts WHERE business_date >= %s", [first])
        (total,) = cursor.fetchone()
    priorities: Counter = Counter()
    intents: Counter = Counter()
    for priority, intent, n in rows:
        priorities[priority] += n
        intents[intent] += n
    untriaged = total - sum(priorities.values())
    if untriaged:
        priorities["unknown"] += untriaged
        intents["unknown"] += untriaged
    return priorities, intents


def open_leads_per_rep(*, limit: int = 15) -> list[tuple[str, str, int]]:
    """(owner id, name, active assignments), busiest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT owner_id, max(owner_name), count(*)
            FROM assignments WHERE status = 'active'
            GROUP BY owner_id ORDER BY count(*) DESC, max(owner_name), owner_id LIMIT %s
            """,
            [limit],
        )
        return [(owner_id, name or owner_id, n) for owner_id, name, n in cursor.fetchall()]
