"""lead_list_columns stays right when two sessions change one lead's products or assignments at once.

Each trigger locks the lead before it recomputes, so the second writer waits for the first
to commit and then sees its rows. Without that lock the second would recompute from a
snapshot without the first one's row and, committing last, leave a stale answer. Real
sessions (their own psycopg connections) commit here; the test cleans up after them.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def session() -> psycopg.Connection[Any]:
    params = connection.settings_dict
    return psycopg.connect(host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"])


@pytest.fixture
def lead_id() -> Iterator[uuid.UUID]:
    with session() as conn:
        new_id = conn.execute(
            "INSERT INTO leads (name, email) VALUES ('Two writers', %s) RETURNING id", [f"{uuid.uuid4()}@example.com"]
        ).fetchone()[0]
        conn.commit()
    yield new_id
    with session() as conn:
        conn.execute("DELETE FROM assignments WHERE lead_id = %s", [new_id])
        conn.execute("DELETE FROM leads WHERE id = %s", [new_id])
        conn.commit()


def second_writer_waits(first_sql: str, first_params: list, second_sql: str, second_params: list) -> float:
    """Run `first` in an open transaction, `second` in another session meanwhile, then commit the first;
    return how long the second waited."""
    waited: list[float] = []
    with session() as first:
        first.execute(first_sql, first_params)

        def second() -> None:
            with session() as conn:
                started = time.monotonic()
                conn.execute(second_sql, second_params)
                waited.append(time.monotonic() - started)
                conn.commit()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second session is now inside its trigger
        first.commit()
        thread.join(timeout=10)
    assert waited, "the second writer never finished"
    return waited[0]


def kept(lead_id: uuid.UUID, column: str) -> object:
    with session() as conn:
        return conn.execute(f"SELECT {column} FROM lead_list_columns WHERE lead_id = %s", [lead_id]).fetchone()[0]  # noqa: S608 - column from this module


PRODUCT = "INSERT INTO lead_products (lead_id, category, product) VALUES (%s, %s, 'Sample')"
ASSIGNMENT = (
    "INSERT INTO assignments (lead_id, owner_id, owner_name, assigned_at, sla_deadline, status, completed_at)"
    " VALUES (%s, %s, %s, %s, %s, 'completed', %s)"
)


def test_two_sessions_adding_products_to_one_lead_leave_both_categories(lead_id: uuid.UUID) -> None:
    waited = second_writer_waits(PRODUCT, [lead_id, "Wall"], PRODUCT, [lead_id, "Flooring"])

    assert waited >= 0.4  # it waited for the first writer's lock on the lead
    assert kept(lead_id, "categories") == "Flooring, Wall"


def test_the_later_assignment_stays_the_owner_whichever_session_commits_last(lead_id: uuid.UUID) -> None:
    now = datetime.now(UTC)
    later = [lead_id, "2", "Later Owner", now, now + timedelta(hours=4), now + timedelta(minutes=5)]
    earlier = [lead_id, "1", "Earlier Owner", now - timedelta(hours=1), now + timedelta(hours=3), now]

    # The later assignment is written first; the earlier one's session commits last.
    waited = second_writer_waits(ASSIGNMENT, later, ASSIGNMENT, earlier)

    assert waited >= 0.4
    assert kept(lead_id, "owner_name") == "Later Owner"
