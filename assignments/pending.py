"""Follow-ups and approvals: the two kinds of event that wait for a person.

They are appended `pending`; the one UPDATE the append-only guard allows
(activity/migrations/0002) then records the decision: the status, and metadata
keys added beside the original ones (who, when, outcome or comment).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from activity.metadata import validate_metadata
from activity.models import ActivityStatus, LeadActivity
from leadsys.exceptions import Conflict, NotFound


def lock_pending(*, activity_id: UUID, type: str) -> LeadActivity:
    # Only a pending item can be locked by staff (the UPDATE policy of activity/migrations/0006 is
    # what FOR UPDATE checks), so a decided one is told apart by a plain read.
    items = LeadActivity.objects.filter(id=activity_id, type=type)
    item = items.filter(status=ActivityStatus.PENDING).select_for_update().first()
    if item is not None:
        return item
    decided = items.first()
    if decided is None:
        raise NotFound(f"No such {type.replace('_', '-')}.", field="activity_id")
    raise Conflict(f"This {type.replace('_', '-')} was already {decided.status}.", code="already_decided")


def decide(item: LeadActivity, *, status: str | None, added: dict[str, Any]) -> LeadActivity:
    """Add keys to a pending item's metadata (and maybe close it): the one UPDATE the guard allows."""
    additions = {k: v for k, v in added.items() if v is not None and k not in (item.metadata or {})}
    checked = validate_metadata(item.type, {**item.metadata, **additions})
    # The original keys are kept byte for byte: the guard refuses any change to them.
    metadata = {**checked, **item.metadata}
    LeadActivity.objects.filter(id=item.id, status=ActivityStatus.PENDING).update(
        status=status or item.status, metadata=metadata
    )
    item.refresh_from_db()
    return item
