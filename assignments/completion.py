"""Closing an assignment by hand: the owner (or a manager) says the lead needs nothing more from them.

Contact closes it on its own (services.first_response_record); this is for a
lead dealt with in another way. The trigger still fills sla_met from completed_at.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from activity.models import ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from assignments import routing, selectors
from assignments.guards import lock_lead
from assignments.models import AssignmentStatus
from leadsys.exceptions import Conflict, NotAllowed

COMPLETED_KIND = "assignment_completed"


@transaction.atomic
def assignment_complete(*, lead_id: UUID, actor: User, note: str = "") -> LeadActivity:
    lock_lead(lead_id)  # the lead row first, then the assignment (assignments.guards)
    assignment = selectors.active_assignment(lead_id=lead_id, for_update=True)
    if assignment is None:
        raise Conflict("This lead has no open assignment to complete.", code="no_assignment")
    if assignment.owner_id != str(actor.id) and not routing.is_manager(actor):
        raise NotAllowed("Only the owner or a sales manager can complete this assignment.", code="not_owner")
    assignment.status = AssignmentStatus.COMPLETED
    assignment.completed_at = timezone.now()
    assignment.save(update_fields=["status", "completed_at"])
    assignment.refresh_from_db(fields=["sla_met", "response_time_minutes"])
    outcome = "within SLA" if assignment.sla_met else "SLA missed"
    return activity_append(
        lead_id=lead_id,
        type=ActivityType.NOTE,
        message=note.strip() or f"Assignment completed by {routing.display_name(actor)} ({outcome})",
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
        metadata={
            "kind": COMPLETED_KIND,
            "assignment_id": str(assignment.id),
            "sla_met": assignment.sla_met,
            "response_time_minutes": assignment.response_time_minutes,
        },
    )
