"""Each SQL function's RunSQL has a reverse that drops it, and the forward SQL re-creates it.

Both directions run inside the test's transaction, so the schema is restored
by the rollback whatever happens.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.operations import RunSQL

pytestmark = pytest.mark.django_db

FUNCTIONS = [
    ("leads.migrations.0003_sql_functions", "get_lead_full(uuid)", "SELECT get_lead_full(gen_random_uuid())"),
    ("leads.migrations.0003_sql_functions", "get_dashboard_stats()", "SELECT get_dashboard_stats()"),
    (
        "activity.migrations.0003_get_pending_follow_ups",
        "get_pending_follow_ups(integer, timestamptz, uuid, varchar)",
        "SELECT count(*) FROM get_pending_follow_ups()",
    ),
]


def exists(signature: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [signature])
        return cursor.fetchone()[0]


def operation_for(module: str, signature: str) -> RunSQL:
    name = signature.split("(")[0]
    (operation,) = [
        op
        for op in import_module(module).Migration.operations
        if isinstance(op, RunSQL) and f"FUNCTION {name}(" in op.sql
    ]
    return operation


@pytest.mark.parametrize(("module", "signature", "call"), FUNCTIONS)
def test_it_drops_with_the_reverse_sql_and_comes_back_with_the_forward_sql(
    module: str, signature: str, call: str
) -> None:
    operation = operation_for(module, signature)
    assert operation.reversible
    assert exists(signature)
    with connection.cursor() as cursor:
        cursor.execute(operation.reverse_sql)
        assert not exists(signature)
        cursor.execute(operation.sql)
        assert exists(signature)
        cursor.execute(call)
        assert cursor.fetchone() is not None
