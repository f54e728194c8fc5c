"""Run statements under a PostgreSQL role of the plan (anon, authenticated)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

ROLES = frozenset({"anon", "authenticated"})
# The role this module set on the connection, noted beside it: as_owner() reads the note instead of
# asking the database (a query, twice a lead in the worker). Only this module sets roles.
_ROLE_NOTE = "leadsys_role"


@contextmanager
def _role_noted(role: str | None) -> Iterator[None]:
    previous = getattr(connection, _ROLE_NOTE, None)
    setattr(connection, _ROLE_NOTE, role)
    try:
        yield
    finally:
        setattr(connection, _ROLE_NOTE, previous)


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
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, _role_noted(role):
        cursor.execute(f"SET LOCAL ROLE {role}")  # role is from the whitelist above
        yield
        cursor.execute("RESET ROLE")


# The settings the staff policies read (activity/migrations/0007): who is asking, whether they
# are a manager, and REP_VISIBILITY. Transaction-local (set_config(..., true)), like SET LOCAL ROLE.
_STAFF_SETTINGS = (
    "SELECT set_config('app.user_id', %s, true), set_config('app.is_manager', %s, true),"
    " set_config('app.rep_visibility', %s, true)"
)


@contextmanager
def staff_role(*, user_id: int, is_manager: bool) -> Iterator[None]:
    """A transaction (or savepoint) run as `authenticated` on behalf of one staff user.

    The caller decides who the user is and whether they manage (from auth tables this role does
    not read); the database then enforces what that person may do. On success the role and the
    settings are cleared before the block ends, so a surrounding transaction (a test's, or one
    that goes on after the view) is the owner's again; on an error the rollback undoes them.
    """
    with transaction.atomic(), _role_noted("authenticated"):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE authenticated")
            cursor.execute(_STAFF_SETTINGS, [str(user_id), "true" if is_manager else "false", settings.REP_VISIBILITY])
        yield
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(_STAFF_SETTINGS, ["", "", ""])


def current_database_role() -> str:
    """The SET ROLE in force: 'none' for the owner (the session's own user)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('role')")
        return cursor.fetchone()[0]


@contextmanager
def as_owner() -> Iterator[None]:
    """Step out of `authenticated` for system work inside a staff request, then back in.

    For the few fixed steps a person's action sets off that are not theirs to do by hand and read
    what the role must not (the webhook outbox with its signing secrets, the staff-read audit). The
    app.* settings stay, so the person is still known. Outside a staff transaction it changes nothing.
    """
    if not connection.in_atomic_block or getattr(connection, _ROLE_NOTE, None) != "authenticated":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    with _role_noted(None):
        yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE authenticated")
