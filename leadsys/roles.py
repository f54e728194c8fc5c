"""Run statements under a PostgreSQL role of the plan (anon, authenticated)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

ROLES = frozenset({"anon", "authenticated"})


@contextmanager
def database_role(role: str) -> Iterator[None]:
    """SET LOCAL ROLE for the block; the role ends with the block.

    On an exception the surrounding atomic block rolls back, which undoes the
    SET LOCAL too; on success the role is reset explicitly so later statements
    of the same transaction (queueing jobs) run as the owner again.
    """
    if role not in ROLES:
        raise ValueError(f"unknown database role {role!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("database_role() must run inside transaction.atomic()")
    # No savepoint of its own: any error dooms the caller's transaction anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")  # role is from the whitelist above
        yield
        cursor.execute("RESET ROLE")
