"""The checks every workflow action starts with: who may act, and which lead (locked) it acts on.

Lock order, everywhere: the lead row, then the routing lock, then the
assignment row. One order means two workers can wait for each other but
never deadlock.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from assignments import routing
from leads.models import Lead
from leadsys.exceptions import NotAllowed, NotFound

NO_SUCH_LEAD = "No such lead."


def require_staff(actor: Any, *, message: str = "Only sales reps and managers can work on leads.") -> None:
    if not routing.is_staff_member(actor):
        raise NotAllowed(message, code="not_staff")


def require_manager(actor: Any, *, message: str) -> None:
    if not routing.is_manager(actor):
        raise NotAllowed(message, code="not_manager")


def require_lead(lead_id: UUID) -> None:
    if not Lead.objects.filter(id=lead_id).exists():
        raise NotFound(NO_SUCH_LEAD, field="lead_id")


def lock_lead(lead_id: UUID) -> Lead:
    """The lead row, locked until the transaction ends; the first lock any action takes."""
    lead = Lead.objects.select_for_update().filter(id=lead_id).first()
    if lead is None:
        raise NotFound(NO_SUCH_LEAD, field="lead_id")
    return lead
