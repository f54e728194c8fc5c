"""get_dashboard_stats() stays exact while several sessions write at once.

The counters are sharded by backend pid; here real concurrent sessions (their
own psycopg connections, committing) insert, update and delete leads, and the
figures are compared with a recount from the ORM. The test's own connection
only reads (READ COMMITTED sees the others' commits) so it holds no counter
row lock that a writer could queue behind; the writers remove their rows
at the end, which exercises the delete path too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection

from leads.models import LeadStatus
from leads.selectors import dashboard_stats
from leads.tests.dashboard_expectations import db_now, expected_stats

pytestmark = pytest.mark.django_db

WRITERS = 6
LEADS_PER_WRITER = 8
TAG = "concurrency-"


def session() -> psycopg.Connection[Any]:
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"], autocommit=True
    )


def write_leads(writer: int, now: datetime) -> None:
    with session() as conn:
        for index in range(LEADS_PER_WRITER):
            created_at = now - timedelta(days=index * 5, minutes=writer)
            conn.execute(
                "INSERT INTO leads (name, email, created_at, status) VALUES (%s, %s, %s, %s)",
                [f"{TAG}{writer}", f"{uuid.uuid4()}@example.com", created_at, LeadStatus.values[index % 6]],
            )
        # One multi-row statement as well: the triggers are per statement.
        conn.execute(
            "UPDATE leads SET status = 'converted' WHERE name = %s AND status IN ('new', 'lost')", [f"{TAG}{writer}"]
        )


def delete_leads(writer: int) -> None:
    with session() as conn:
        conn.execute("DELETE FROM leads WHERE name = %s", [f"{TAG}{writer}"])


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(delete_leads, range(WRITERS)))


def test_it_stays_exact_under_concurrent_writers(cleanup: None) -> None:
    now = db_now()
    before = dashboard_stats()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write_leads, range(WRITERS), [now] * WRITERS))
    stats = dashboard_stats()
    assert stats == expected_stats(now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT shard) FROM lead_daily_counts")
        assert cursor.fetchone()[0] > 1  # the writers really landed on different shards
    assert stats["total_leads"] - before["total_leads"] == WRITERS * LEADS_PER_WRITER

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(delete_leads, range(0, WRITERS, 2)))
    assert dashboard_stats() == expected_stats(now)
