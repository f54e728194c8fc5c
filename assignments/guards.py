"""The checks every workflow action starts with: who may act, and which lead (locked) it acts on.

Lock order, everywhere: the lead row, then the routing lock, then the
assignment row. One order means two workers can wait for each other but
never deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from assignments import routing
from leads.models import Lead
from leadsys.exceptions import NotAllowed, NotFound
from leadsys.roles import staff_role

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


def runs_as_staff(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a staff view's work as the database role `authenticated`, on behalf of request.user.

    The one way console and token-API requests reach the four tables: the view runs in one
    transaction under the role (leadsys.roles.staff_role), so the policies, not only the views,
    decide what this person may read and write. Apply it where request.user is already resolved
    (inside login_required, or under DRF's @api_view, whose authentication has run by then);
    who the user is and whether they manage is read before the switch, as the owner.
    An anonymous request passes through unchanged (its gate answers it).
    """

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return view(request, *args, **kwargs)
        manager = routing.is_manager(user)
        with staff_role(user_id=user.id, is_manager=manager):
            return view(request, *args, **kwargs)

    wrapped.runs_as_staff = True  # type: ignore[attr-defined]  # read by the test that every staff view has it
    return wrapped
