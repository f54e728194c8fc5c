"""Reads for routing and the SLA clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import connection
from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from activity.models import ActivityType, LeadActivity
from assignments.models import Assignment, AssignmentStatus
from leads.models import Lead
from leads.selectors import EARLIER_SAME_PERSON_SQL

# Note kinds that routing leaves on a lead it did not assign.
MANAGER_QUEUE_KIND = "manager_queue"
SPAM_HELD_KIND = "spam_held"


def open_assignment_counts(*, owner_ids: Iterable[str]) -> dict[str, int]:
    """Active assignments per owner id, for the cap."""
    rows = (
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE, owner_id__in=list(owner_ids))
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def active_assignment(*, lead_id: UUID, for_update: bool = False) -> Assignment | None:
    query = Assignment.objects.filter(lead_id=lead_id, status=AssignmentStatus.ACTIVE)
    if for_update:
        query = query.select_for_update()
    return query.first()


def latest_ai_result(*, lead_id: UUID) -> LeadActivity | None:
    return (
        LeadActivity.objects.filter(lead_id=lead_id, type=ActivityType.AI_RESULT).order_by("-created_at", "-id").first()
    )


def _breach_recorded() -> Exists:
    # Compared as text: the event stores the assignment's id as a string.
    return Exists(
        LeadActivity.objects.annotate(breached_id=KeyTextTransform("assignment_id", "metadata")).filter(
            lead_id=OuterRef("lead_id"),
            type=ActivityType.SLA_BREACH,
            breached_id=Cast(OuterRef("id"), output_field=CharField()),
        )
    )


def overdue_unreported_assignment_ids(*, now: datetime, limit: int = 500) -> list[UUID]:
    """Active assignments past their deadline with no sla_breach event yet, oldest deadline first."""
    query = (
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE, sla_deadline__lt=now)
        .annotate(reported=_breach_recorded())
        .filter(reported=False)
        .order_by("sla_deadline", "id")
        .values_list("id", flat=True)[:limit]
    )
    return list(query)


def breach_recorded(*, assignment: Assignment) -> bool:
    return LeadActivity.objects.filter(
        lead_id=assignment.lead_id, type=ActivityType.SLA_BREACH, metadata__assignment_id=str(assignment.id)
    ).exists()


def sla_breach_count() -> int:
    """Assignments with a recorded breach: what the dashboard's sla_violations should count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT metadata->>'assignment_id') FROM lead_activity WHERE type = %s",
            [ActivityType.SLA_BREACH.value],
        )
        return cursor.fetchone()[0]


def manager_queue_lead_ids() -> list[UUID]:
    """Leads routing could not place (or held as spam) that still have no active owner, oldest first."""
    held = (
        LeadActivity.objects.filter(type=ActivityType.NOTE, metadata__kind__in=[MANAGER_QUEUE_KIND, SPAM_HELD_KIND])
        .annotate(owned=Exists(Assignment.objects.filter(lead_id=OuterRef("lead_id"), status=AssignmentStatus.ACTIVE)))
        .filter(owned=False)
        .order_by("created_at")
        .values_list("lead_id", flat=True)
    )
    return list(dict.fromkeys(held))


# The same person by the one rule (leads.selectors): email or E.164 phone, earlier enquiries only.
_LAST_HANDLER_SQL = f"""
SELECT a.owner_id, a.lead_id
FROM assignments a
WHERE a.status IN ('active', 'completed') AND a.lead_id IN ({EARLIER_SAME_PERSON_SQL})
ORDER BY a.assigned_at DESC, a.id DESC
LIMIT 1
"""  # noqa: S608 - constant SQL, values bound


def last_handler(*, lead: Lead) -> tuple[str, UUID] | None:
    """(owner id, earlier lead id) of the rep who last handled this person's earlier enquiry, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_LAST_HANDLER_SQL, {"email": lead.email, "phone": lead.phone, "before": lead.created_at})
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None
