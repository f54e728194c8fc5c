"""Ownership and the SLA clock: routing, reassignment, first response, escalation.

Every action locks in the order of assignments.guards: the lead, the routing lock, the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from activity.models import ActivityStatus, ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from assignments import routing, selectors
from assignments.business_hours import sla_deadline
from assignments.guards import lock_lead, require_manager, require_staff
from assignments.models import Assignment, AssignmentStatus, RepProfile
from assignments.notify import staff_email_send
from assignments.outbox import webhook_emit
from assignments.pending import decide
from leads import labels
from leads.contact_details import clean_contact_details
from leads.models import Lead, LeadStatus
from leads.selectors import current_triage
from leadsys.exceptions import Conflict, DomainError

# pg_advisory_xact_lock key: one routing decision at a time, so open-lead
# counts and round-robin turns are read and written without a race.
ROUTING_LOCK_KEY = 5_020_001
RULE_MANAGER_CHOICE = "manager_choice"
ESCALATION = "sla_escalation"


@dataclass(frozen=True)
class RoutingOutcome:
    assignment: Assignment | None
    queued: bool = False
    spam: bool = False


def _take_routing_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROUTING_LOCK_KEY])


def _current_priority(lead_id: UUID) -> str | None:
    """By the one rule (leads.selectors): a person's correction of the AI counts."""
    return current_triage(lead_id=lead_id)["priority"]


# --- Routing --------------------------------------------------------------------------


# No savepoint of its own: a failure here fails the whole step (the caller's transaction) anyway.
@transaction.atomic(savepoint=False)
def lead_route(*, lead_id: UUID, ai_result: LeadActivity | None = None) -> RoutingOutcome:
    """Give a triaged lead its owner and SLA clock; idempotent for a lead already owned."""
    lead = lock_lead(lead_id)
    ai_result = ai_result or selectors.latest_ai_result(lead_id=lead_id)
    if ai_result and ai_result.metadata.get("suggested_action") == "discard_spam":
        _hold_spam(lead=lead, ai_result=ai_result)
        return RoutingOutcome(assignment=None, spam=True)
    current = selectors.active_assignment(lead_id=lead_id)
    if current is not None:
        return RoutingOutcome(assignment=current)
    assignment = _assign_by_turn(lead=lead, priority=_current_priority(lead_id), assigned_by="system")
    return RoutingOutcome(assignment=assignment, queued=assignment is None)


def _assign_by_turn(
    *,
    lead: Lead,
    priority: str | None,
    assigned_by: str,
    exclude_owner_ids: tuple[str, ...] = (),
    previous_owner_id: str | None = None,
    reason: str | None = None,
    queue_if_nobody: bool = True,
) -> Assignment | None:
    _take_routing_lock()
    candidates = routing.rep_candidates(lead=lead, exclude_owner_ids=exclude_owner_ids)
    rule = routing.RULE_ROUND_ROBIN
    chosen = _returning_contacts_rep(lead=lead, candidates=candidates) if assigned_by == "system" else None
    if chosen is not None:
        chosen, earlier_lead_id = chosen
        rule = RULE_RETURNING_CONTACT
        reason = f"Returning contact: {chosen.name} handled their earlier enquiry {earlier_lead_id}"
    else:
        chosen = routing.whose_turn(candidates)
    if chosen is None:
        if queue_if_nobody:
            _queue_for_manager(lead=lead, candidates=candidates, reason=reason)
        return None
    return _open_assignment(
        lead=lead,
        owner=routing.staff_users().get(id=chosen.user_id),
        priority=priority,
        rule=rule,
        candidates=[c.as_metadata(chosen=c is chosen) for c in candidates],
        assigned_by=assigned_by,
        previous_owner_id=previous_owner_id,
        reason=reason,
    )


RULE_RETURNING_CONTACT = "returning_contact"


def _returning_contacts_rep(
    *, lead: Lead, candidates: list[routing.Candidate]
) -> tuple[routing.Candidate, UUID] | None:
    """The rep who last handled this person, when that rep can take the lead now (else round-robin)."""
    last = selectors.last_handler(lead=lead)
    if last is None:
        return None
    owner_id, earlier_lead_id = last
    rep = next((c for c in candidates if str(c.user_id) == owner_id and c.eligible), None)
    return (rep, earlier_lead_id) if rep else None


def _open_assignment(
    *,
    lead: Lead,
    owner: User,
    priority: str | None,
    rule: str,
    candidates: list[dict[str, Any]],
    assigned_by: str,
    previous_owner_id: str | None,
    reason: str | None,
) -> Assignment:
    now = timezone.now()
    minutes = routing.sla_minutes(priority)
    assignment = Assignment.objects.create(
        lead=lead,
        assigned_at=now,
        owner_id=str(owner.id),
        owner_name=routing.display_name(owner),
        sla_deadline=sla_deadline(now, minutes),
    )
    RepProfile.objects.filter(user=owner).update(last_assigned_at=now)
    event = activity_append(
        lead_id=lead.id,
        type=ActivityType.ASSIGNMENT,
        message=f"Assigned to {assignment.owner_name} ({labels.label('rule', rule).lower()}); "
        f"respond by {labels.when(assignment.sla_deadline)}",
        actor_type=ActorType.SYSTEM if assigned_by in ("system", ESCALATION) else ActorType.USER,
        actor_id=None if assigned_by in ("system", ESCALATION) else assigned_by,
        metadata={
            "assigned_by": assigned_by,
            "assignment_id": str(assignment.id),
            "owner_id": assignment.owner_id,
            "owner_name": assignment.owner_name,
            "sla_deadline": assignment.sla_deadline.isoformat(),
            "priority": priority,
            "rule": rule,
            "candidates": candidates,
            "reason": reason or f"{minutes} business minutes for {priority or 'medium'} priority",
            "previous_owner_id": previous_owner_id,
        },
    )
    webhook_emit("lead.assigned", {"lead_id": str(lead.id), "activity_id": str(event.id), **event.metadata})
    _defer_owner_notice(assignment)
    return assignment


def _defer_owner_notice(assignment: Assignment) -> None:
    from assignments.tasks import notify_owner_assigned

    # A job in this transaction: the rep hears of exactly the assignments that committed,
    # and a provider that is down delays the email instead of undoing the assignment.
    notify_owner_assigned.defer(lead_id=str(assignment.lead_id), assignment_id=str(assignment.id))


ASSIGNED_TEMPLATE = "assigned"


def assignment_owner_notify(*, lead_id: UUID, assignment_id: UUID) -> list[str]:
    """Tell the owner of a still-active assignment that the lead is theirs, once; the SLA clock is only fair if they know."""
    with transaction.atomic():
        lead = lock_lead(lead_id)
        assignment = Assignment.objects.filter(id=assignment_id, lead_id=lead_id).first()
        if assignment is None or assignment.status != AssignmentStatus.ACTIVE or not assignment.owner_id.isdigit():
            return []
        owner = User.objects.filter(id=int(assignment.owner_id), is_active=True).first()
        if owner is None or not owner.email:
            return []
        already = LeadActivity.objects.filter(
            lead_id=lead_id,
            type=ActivityType.EMAIL,
            metadata__template=ASSIGNED_TEMPLATE,
            metadata__to=owner.email,
            created_at__gte=assignment.assigned_at,
        ).exists()
        if already:
            return []
        return staff_email_send(
            lead_id=lead_id,
            template=ASSIGNED_TEMPLATE,
            to=[owner.email],
            subject=f"New lead for you: {lead.name} (respond by {labels.when(assignment.sla_deadline)})",
            context={
                "lead": lead,
                "products": list(lead.products.all()),
                "assignment": assignment,
                "priority": _current_priority(lead_id),
            },
        )


def _queue_for_manager(*, lead: Lead, candidates: list[routing.Candidate], reason: str | None) -> LeadActivity:
    from assignments.tasks import notify_manager_queue

    event = activity_append(
        lead_id=lead.id,
        type=ActivityType.NOTE,
        message="No rep can take this lead now: waiting in the manager queue",
        metadata={
            "kind": selectors.MANAGER_QUEUE_KIND,
            "reason": reason,
            "candidates": [c.as_metadata(chosen=False) for c in candidates],
        },
    )
    # A job, not an email here: it commits with the note and is retried if the provider is down.
    notify_manager_queue.defer(lead_id=str(lead.id), event_id=str(event.id))
    return event


def _hold_spam(*, lead: Lead, ai_result: LeadActivity) -> None:
    already = LeadActivity.objects.filter(
        lead_id=lead.id, type=ActivityType.NOTE, metadata__kind=selectors.SPAM_HELD_KIND
    ).exists()
    if not already:
        activity_append(
            lead_id=lead.id,
            type=ActivityType.NOTE,
            message="Not assigned: the AI marked this lead as spam; kept for managers to review",
            metadata={"kind": selectors.SPAM_HELD_KIND, "ai_result_id": str(ai_result.id)},
        )


def manager_queue_notify(*, lead_id: UUID, event_id: UUID) -> list[str]:
    """Email the managers about a queued lead, once per queue event."""
    with transaction.atomic():
        lead = lock_lead(lead_id)
        event = LeadActivity.objects.filter(id=event_id, lead_id=lead_id).first()
        if event is None or selectors.active_assignment(lead_id=lead_id):
            return []
        already = LeadActivity.objects.filter(
            lead_id=lead_id,
            type=ActivityType.EMAIL,
            metadata__template="manager_queue",
            created_at__gte=event.created_at,
        ).exists()
        if already:
            return []
        return staff_email_send(
            lead_id=lead_id,
            template="manager_queue",
            to=routing.manager_emails(),
            subject=f"Lead waiting for an owner: {lead.name}",
            context={"lead": lead, "products": list(lead.products.all()), "candidates": event.metadata["candidates"]},
        )


# --- Reassignment -----------------------------------------------------------------------


@transaction.atomic
def assignment_reassign(*, lead_id: UUID, actor: User, to_user: User | None = None, reason: str = "") -> Assignment:
    """A manager moves a lead to a chosen rep, or to whoever's turn it is; the old assignment stays as history."""
    require_manager(actor, message="Only a sales manager can reassign a lead.")
    if to_user is not None and not (routing.is_rep(to_user) and hasattr(to_user, "rep_profile")):
        raise DomainError("The new owner must be an active sales rep.", code="not_a_rep", field="to_user")
    lead = lock_lead(lead_id)
    current = selectors.active_assignment(lead_id=lead_id, for_update=True)
    if current is not None and to_user is not None and current.owner_id == str(to_user.id):
        raise Conflict("The lead already belongs to that rep.", code="same_owner", field="to_user")
    priority = _current_priority(lead_id)
    previous_owner_id = _close_as_reassigned(current)
    if to_user is None:
        new = _assign_by_turn(
            lead=lead,
            priority=priority,
            assigned_by=str(actor.id),
            exclude_owner_ids=(previous_owner_id,) if previous_owner_id else (),
            previous_owner_id=previous_owner_id,
            reason=reason or None,
            queue_if_nobody=False,
        )
        if new is None:
            raise Conflict("No other rep can take this lead now.", code="nobody_eligible")
        return new
    _take_routing_lock()
    return _open_assignment(
        lead=lead,
        owner=to_user,
        priority=priority,
        rule=RULE_MANAGER_CHOICE,
        candidates=[],
        assigned_by=str(actor.id),
        previous_owner_id=previous_owner_id,
        reason=reason or None,
    )


def _close_as_reassigned(current: Assignment | None) -> str | None:
    if current is None:
        return None
    current.status = AssignmentStatus.REASSIGNED
    current.save(update_fields=["status"])
    return current.owner_id


# --- First response ------------------------------------------------------------------------

CONTACT_CHANNELS = ("call", "email")


def first_response_record(*, lead_id: UUID, actor_id: str, at: datetime) -> Assignment | None:
    """Complete the active assignment when its owner made contact; the trigger fills sla_met."""
    assignment = selectors.active_assignment(lead_id=lead_id, for_update=True)
    if assignment is None or assignment.owner_id != actor_id:
        return None
    assignment.status = AssignmentStatus.COMPLETED
    assignment.completed_at = at
    assignment.save(update_fields=["status", "completed_at"])
    assignment.refresh_from_db(fields=["sla_met", "response_time_minutes"])
    return assignment


@transaction.atomic
def contact_log(
    *,
    lead_id: UUID,
    actor: User,
    channel: str,
    summary: str,
    outcome: str = "connected",
    duration_seconds: int | None = None,
    subject: str | None = None,
) -> LeadActivity:
    """Record a call or an email a person made to the lead."""
    require_staff(actor)
    if channel not in CONTACT_CHANNELS:
        raise DomainError("Channel must be call or email.", code="invalid_channel", field="channel")
    lead = lock_lead(lead_id)
    if channel == "call":
        metadata: dict[str, Any] = {"outcome": outcome, "duration_seconds": duration_seconds}
    else:
        metadata = {"template": "manual", "channel": "manual", "to": lead.email, "subject": subject}
    event = activity_append(
        lead_id=lead_id,
        type=channel,
        message=summary,
        metadata=metadata,
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
    )
    if counts_as_first_response(channel=channel, outcome=outcome):
        first_response_record(lead_id=lead_id, actor_id=str(actor.id), at=event.created_at)
    if channel == "email" or outcome == "connected":
        suggested_follow_up_complete(lead_id=lead_id, actor=actor, channel=channel, done_by=event)
    return event


def counts_as_first_response(*, channel: str, outcome: str | None) -> bool:
    """The one rule for what stops the SLA clock (SLA_FIRST_RESPONSE); status `contacted` always does."""
    if channel == "email" or settings.SLA_FIRST_RESPONSE == "attempt":
        return True
    return outcome == "connected"


# The follow-up actions a logged contact carries out.
FOLLOW_UP_DONE_BY = {"call": ("call",), "email": ("email", "send_catalog")}


def suggested_follow_up_complete(*, lead_id: UUID, actor: User, channel: str, done_by: LeadActivity) -> list[UUID]:
    """Complete the AI's pending follow-up the owner has just done (a call for `call`), naming the event."""
    owner = selectors.active_assignment(lead_id=lead_id) or Assignment.objects.filter(lead_id=lead_id).first()
    if owner is None or owner.owner_id != str(actor.id):
        return []
    pending = LeadActivity.objects.select_for_update().filter(
        lead_id=lead_id,
        type=ActivityType.FOLLOW_UP,
        status=ActivityStatus.PENDING,
        actor_type=ActorType.AI,
        metadata__action__in=FOLLOW_UP_DONE_BY.get(channel, ()),
    )
    done = []
    for item in pending:
        decide(
            item,
            status=ActivityStatus.COMPLETED,
            added={
                "decided_by": str(actor.id),
                "decided_at": done_by.created_at,
                "outcome": f"Done: {channel} logged ({done_by.id})",
            },
        )
        done.append(item.id)
    return done


@transaction.atomic
def lead_status_change(*, lead_id: UUID, actor: User, to_status: str, reason: str | None = None) -> LeadActivity:
    """The one human-set field of a lead; `contacted` is a first response."""
    require_staff(actor)
    if to_status not in LeadStatus.values:
        raise DomainError(f"Unknown status {to_status!r}.", code="invalid_status", field="status")
    lead = lock_lead(lead_id)
    if lead.status == to_status:
        raise Conflict(f"The lead is already {to_status}.", code="unchanged", field="status")
    Lead.objects.filter(id=lead_id).update(status=to_status)
    event = activity_append(
        lead_id=lead_id,
        type=ActivityType.STATUS_CHANGE,
        message=f"Status changed from {lead.status} to {to_status}",
        metadata={"from_status": lead.status, "to_status": to_status, "reason": reason},
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
    )
    if to_status == LeadStatus.CONTACTED:
        first_response_record(lead_id=lead_id, actor_id=str(actor.id), at=event.created_at)
    webhook_emit("lead.status_changed", {"lead_id": str(lead_id), "activity_id": str(event.id), **event.metadata})
    return event


# --- Contact details ------------------------------------------------------------------------

CONTACT_FIELDS = ("name", "phone", "company", "role", "location")
CONTACT_EDIT_KIND = "contact_edit"


@transaction.atomic
def lead_contact_update(*, lead_id: UUID, actor: User, changes: dict[str, str | None]) -> LeadActivity | None:
    """Correct a lead's contact details (the plan's LeadUpdate); each change is an event with from and to.

    Email, message, source and the creation time stay as submitted. The event is
    written first and named to the database, whose trigger refuses the UPDATE
    without it (activity/migrations/0006). None when nothing changes.
    """
    require_staff(actor)
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise DomainError(
            f"{field} cannot be changed: only {', '.join(CONTACT_FIELDS)}.", code="read_only", field=field
        )
    cleaned = clean_contact_details(changes)
    lead = lock_lead(lead_id)
    diff = {
        field: {"from": getattr(lead, field), "to": value}
        for field, value in cleaned.items()
        if getattr(lead, field) != value
    }
    if not diff:
        return None
    event = activity_append(
        lead_id=lead_id,
        type=ActivityType.NOTE,
        message="Contact details corrected: " + ", ".join(diff),
        metadata={"kind": CONTACT_EDIT_KIND, "changes": diff},
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('leadsys.contact_edit_event', %s, true)", [str(event.id)])
    Lead.objects.filter(id=lead_id).update(**{field: change["to"] for field, change in diff.items()})
    return event


# --- SLA escalation ---------------------------------------------------------------------------


def sla_breach_scan(*, now: datetime | None = None) -> list[LeadActivity]:
    """Record every overdue assignment's breach, each in its own transaction."""
    now = now or timezone.now()
    recorded = []
    for assignment_id in selectors.overdue_unreported_assignment_ids(now=now):
        event = sla_breach_record(assignment_id=assignment_id, now=now)
        if event is not None:
            recorded.append(event)
    return recorded


@transaction.atomic
def sla_breach_record(*, assignment_id: UUID, now: datetime) -> LeadActivity | None:
    """Once per assignment: the breach event, the manager's email, and (if configured) a reassignment."""
    lead_id = Assignment.objects.filter(id=assignment_id).values_list("lead_id", flat=True).first()
    if lead_id is None:
        return None
    lead = lock_lead(lead_id)
    assignment = Assignment.objects.select_for_update().filter(id=assignment_id).first()
    if assignment.status != AssignmentStatus.ACTIVE or assignment.sla_deadline >= now:
        return None
    if selectors.breach_recorded(assignment=assignment):
        return None  # another scanner got here first
    reassigned_to = None
    if settings.SLA_ESCALATION_REASSIGN:
        reassigned_to = _escalate(lead=lead, assignment=assignment)
    notified = staff_email_send(
        lead_id=lead.id,
        template="sla_breach",
        to=_managers_of(assignment.owner_id),
        subject=f"SLA missed: {lead.name} ({assignment.owner_name or assignment.owner_id})",
        context={"lead": lead, "assignment": assignment, "reassigned_to": reassigned_to, "now": now},
    )
    event = activity_append(
        lead_id=lead.id,
        type=ActivityType.SLA_BREACH,
        message=f"SLA missed by {assignment.owner_name or assignment.owner_id}: no response by "
        f"{labels.when(assignment.sla_deadline)}",
        metadata={
            "assignment_id": str(assignment.id),
            "owner_id": assignment.owner_id,
            "sla_deadline": assignment.sla_deadline.isoformat(),
            "detected_at": now.isoformat(),
            "notified": notified,
            "reassigned_to": reassigned_to.owner_id if reassigned_to else None,
        },
    )
    webhook_emit("sla.breached", {"lead_id": str(lead.id), "activity_id": str(event.id), **event.metadata})
    return event


def _escalate(*, lead: Lead, assignment: Assignment) -> Assignment | None:
    """Hand the lead to the next rep in turn; with nobody else eligible the owner keeps it."""
    priority = _current_priority(lead.id)
    with transaction.atomic():  # a savepoint: undone if nobody can take it
        assignment.status = AssignmentStatus.REASSIGNED
        assignment.save(update_fields=["status"])
        new = _assign_by_turn(
            lead=lead,
            priority=priority,
            assigned_by=ESCALATION,
            exclude_owner_ids=(assignment.owner_id,),
            previous_owner_id=assignment.owner_id,
            reason="SLA missed",
            queue_if_nobody=False,
        )
        if new is None:
            transaction.set_rollback(True)
    if new is None:
        assignment.status = AssignmentStatus.ACTIVE
    return new


def _managers_of(owner_id: str) -> list[str]:
    """The rep's own manager, or every sales manager when the rep has none."""
    profile = (
        RepProfile.objects.select_related("manager").defer("manager__password").filter(user_id=int(owner_id)).first()
        if owner_id.isdigit()
        else None
    )
    if profile and profile.manager and profile.manager.is_active and profile.manager.email:
        return [profile.manager.email]
    return routing.manager_emails()
