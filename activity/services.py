"""Writes to the event log. Every event goes through activity_append()."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction

from activity.metadata import validate_metadata
from activity.models import DEFAULT_STATUSES, STATUSES_BY_TYPE, ActorType, LeadActivity, StaffRead, StaffReadKind
from leadsys.exceptions import DomainError
from leadsys.roles import as_owner


def activity_append(
    *,
    lead_id: UUID,
    type: str,
    message: str,
    metadata: dict[str, Any] | None = None,
    status: str = "completed",
    actor_type: str = ActorType.SYSTEM,
    actor_id: str | None = None,
) -> LeadActivity:
    """Validate an event against its type's schema and append it."""
    allowed = STATUSES_BY_TYPE.get(type, DEFAULT_STATUSES)
    if status not in allowed:
        raise DomainError(f"A {type} event cannot have status {status!r}.", code="invalid_status", field="status")
    if not message or not message.strip():
        raise DomainError("An event needs a message.", code="required", field="message")
    stored = validate_metadata(type, metadata)
    activity = LeadActivity(
        lead_id=lead_id,
        type=type,
        status=status,
        message=message.strip()[:10_000],
        actor_type=actor_type,
        actor_id=actor_id,
        metadata=stored,
    )
    # force_insert: a plain INSERT, no UPDATE attempt and no RETURNING, so the
    # anon role (insert-only under RLS) can append events during intake.
    activity.save(force_insert=True)
    return activity


@transaction.atomic
def staff_read_record(*, user: Any, kind: str, filters: dict[str, Any], row_count: int) -> StaffRead:
    """Note who read many leads at once (an export, a page of the API list), with what filters.

    Written as the owner even inside a staff transaction: the role cannot write or read the audit,
    so nobody can leave out or rewrite their own reads.
    """
    if kind not in StaffReadKind.values:
        raise ValueError(f"Unknown staff read {kind!r}")
    clean = {
        key: value if isinstance(value, (bool, int, float)) or value is None else str(value)
        for key, value in filters.items()
    }
    with as_owner():
        return StaffRead.objects.create(
            user_id=user.id, username=user.get_username(), kind=kind, filters=clean, row_count=row_count
        )
