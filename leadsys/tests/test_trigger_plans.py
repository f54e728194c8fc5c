"""The statement triggers keep reading a lead's rows by index as the tables grow under them.

plpgsql plans a trigger's statement once per session and keeps the plan. Planned while
the tables were small (a new deployment; the first chunk of a bulk load), a sequential
scan looks cheapest, and it would then be repeated for each lead of every later statement
(seeding 5,000 leads spent 29 s so). The triggers run with enable_seqscan = off (activity
0014, assignments 0010 and 0011, leads 0022). Here one real session makes each trigger run
once on small tables, then writes 1,500 leads' rows in bulk, and PostgreSQL's own counters
say how often the big tables were read whole meanwhile.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

BULK = 1500
TABLES = ("leads", "lead_products", "assignments", "lead_activity")
TAG = "trigger-plans"
AI_RESULT = json.dumps({"intent": "quote_request", "priority": "high", "suggested_action": "call_today"})


def session() -> psycopg.Connection[Any]:
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"], autocommit=True
    )


def write_everything(conn: psycopg.Connection[Any], lead_ids: list[uuid.UUID]) -> None:
    """Leads, their products, assignments, AI results and calls: one statement each, as a bulk load writes."""
    ids = [str(lead_id) for lead_id in lead_ids]
    conn.execute(
        "INSERT INTO leads (id, name, email) SELECT i, %s, i::text || '@example.com' FROM unnest(%s::uuid[]) AS i",
        [TAG, ids],
    )
    conn.execute(
        "INSERT INTO lead_products (lead_id, category, product) SELECT i, 'Flooring', 'Oak' FROM unnest(%s::uuid[]) i",
        [ids],
    )
    conn.execute(
        "INSERT INTO assignments (lead_id, owner_id, owner_name, assigned_at, sla_deadline, status, completed_at)"
        " SELECT i, '1', 'Rep', now(), now() + interval '4 hours', 'completed', now() FROM unnest(%s::uuid[]) i",
        [ids],
    )
    conn.execute(
        "INSERT INTO lead_activity (lead_id, type, status, message, actor_type, metadata)"
        " SELECT i, 'ai_result', 'completed', 'AI triage', 'ai', %s::jsonb FROM unnest(%s::uuid[]) i",
        [AI_RESULT, ids],
    )
    conn.execute(
        "INSERT INTO lead_activity (lead_id, type, status, message, actor_type, actor_id, metadata)"
        " SELECT i, 'call', 'completed', 'Called', 'user', '1', '{\"outcome\": \"connected\"}'::jsonb"
        " FROM unnest(%s::uuid[]) i",
        [ids],
    )


def whole_table_reads(conn: psycopg.Connection[Any]) -> dict[str, int]:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    rows = conn.execute("SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(TABLES)])
    return dict(rows.fetchall())


@pytest.fixture
def conn() -> Iterator[psycopg.Connection[Any]]:
    with session() as writer:
        yield writer
        writer.execute("DELETE FROM assignments WHERE lead_id IN (SELECT id FROM leads WHERE name = %s)", [TAG])
        writer.execute("DELETE FROM leads WHERE name = %s", [TAG])


def test_the_triggers_read_by_index_after_the_tables_grew(conn: psycopg.Connection[Any]) -> None:
    write_everything(conn, [uuid.uuid4()])  # each trigger runs, and keeps its plan, on small tables
    conn.execute("SELECT pg_stat_force_next_flush()")
    before = whole_table_reads(conn)

    write_everything(conn, [uuid.uuid4() for _ in range(BULK)])
    conn.execute("SELECT pg_stat_force_next_flush()")
    after = whole_table_reads(conn)

    reads = {table: after[table] - before[table] for table in TABLES}
    # Without the setting, lead_activity was read whole for each lead of the bulk statements (3,000 times).
    assert all(n < 10 for n in reads.values()), reads
    with session() as reader:
        kept = reader.execute(
            "SELECT count(*) FROM lead_current_triage t JOIN leads l ON l.id = t.lead_id "
            "WHERE l.name = %s AND t.priority = 'high'",
            [TAG],
        ).fetchone()[0]
    assert kept == BULK + 1  # and the read model is right
