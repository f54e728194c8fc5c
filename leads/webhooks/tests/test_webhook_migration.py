"""Migration 0012 on data written under the old scheme: secrets keep their key, deliveries are numbered
oldest first, those skipped while paused wait again, queued jobs get their endpoint's lock; and back."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("leads", "0011_held_and_rejected_submissions")]
AFTER = [("leads", "0012_standard_webhooks")]


def migrate(targets: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(targets)


def rows(sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def at_0011() -> Iterator[None]:
    migrate(BEFORE)
    try:
        yield
    finally:  # whatever happened, the rest of the suite gets the latest schema back
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_migrates_old_endpoints_and_deliveries_forward_and_back(at_0011: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO webhook_endpoints (url, secret, events, description, is_active, consecutive_failures,"
            " created_at) VALUES ('http://127.0.0.1:9/a', 'old-secret', '[\"lead.created\"]', '', true, 0, now())"
            " RETURNING id"
        )
        [(endpoint_id,)] = cursor.fetchall()
        for offset, status in enumerate(["succeeded", "skipped", "failed"]):
            cursor.execute(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, status, attempts, last_error,"
                " created_at) VALUES (gen_random_uuid(), %s, 'lead.created', '{}', %s, 1, '',"
                " now() + make_interval(secs => %s)) RETURNING id",
                [endpoint_id, status, offset],
            )
        [(last_id,)] = cursor.fetchall()
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status) VALUES"
            " ('webhooks', 'leads.webhooks.tasks.deliver_webhook', jsonb_build_object('delivery_id', %s::text),"
            " 'todo')",
            [str(last_id)],
        )

    migrate(AFTER)

    [(secret, last_sequence)] = rows("SELECT secret, last_sequence FROM webhook_endpoints")
    assert (secret, last_sequence) == ("whsec_" + base64.b64encode(b"old-secret").decode(), 3)
    assert rows("SELECT sequence, status FROM webhook_deliveries ORDER BY created_at") == [
        (1, "succeeded"),
        (2, "pending"),
        (3, "failed"),
    ]
    jobs = rows("SELECT lock FROM procrastinate_jobs WHERE args->>'delivery_id' = %s", [str(last_id)])
    assert jobs == [(f"webhook-endpoint-{endpoint_id}",)]

    migrate(BEFORE)

    assert rows("SELECT secret FROM webhook_endpoints") == [("old-secret",)]
