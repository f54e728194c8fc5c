"""Intake: a submission becomes a lead (or joins today's lead) in one transaction.

The lead, its products and its events are written as the `anon` role, which
may insert and read nothing back; then, as the owner again and still inside
the same transaction, the jobs that can fail later (triage, email) are queued.
A rolled-back intake leaves no job; a committed one always has its jobs.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import procrastinate.tasks
import psycopg
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.metadata import validate_metadata
from activity.models import ActivityType, ActorType
from activity.services import activity_append
from assignments.guards import require_manager
from assignments.tasks import triage_lead
from leads.models import HeldStatus, HeldSubmission, HoldReason, Lead, LeadSource, RejectedSubmission
from leads.webhooks.tasks import deliver_webhook
from leadsys.exceptions import Conflict, DomainError, NotFound
from leadsys.roles import database_role

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProductInterest:
    category: str
    product: str
    quantity: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Consent:
    privacy_notice_version: str
    accepted_at: datetime
    marketing_opt_in: bool


@dataclass(frozen=True)
class Submission:
    """A validated submission: the plan's LeadSubmission."""

    name: str
    email: str
    phone: str | None = None
    company: str | None = None
    role: str | None = None
    location: str | None = None
    message: str | None = None
    source: str = LeadSource.WEBSITE_FORM
    product_interests: tuple[ProductInterest, ...] = field(default_factory=tuple)
    consent: Consent | None = None
    ip_address: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    lead_id: UUID
    merged: bool


def lead_submit(*, submission: Submission) -> IntakeResult:
    """Store a submission; a second one the same business day joins the first lead."""
    # The advisory lock serialises same-email submissions; the unique index is
    # the last word if something outside intake raced us (then: merge).
    for attempt in range(2):
        try:
            return _submit_once(submission)
        except IntegrityError as exc:
            # Only a lost race on the unique index is worth a second try; a
            # CHECK or foreign-key refusal would fail the same way again.
            if attempt or not isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
                raise
            logger.info("intake raced another insert for the same email; merging")
    raise AssertionError("unreachable")


# The whole intake in one round trip (leads/migrations/0010, activity/migrations/0006):
# intake_submit() under the caller's role (anon for the public, authenticated for a
# token caller who may name another source), the one door those roles have to the
# four tables; then, as the owner again, intake_follow_on(): the jobs and webhook
# deliveries for the lead it wrote. Sent as one string (simple query protocol:
# Django's default client-side binding; server_side_binding would refuse it), the
# statements are one transaction: SET LOCAL ends with it, and an error anywhere rolls back all of it.
_INTAKE_STEPS = (
    "SELECT FROM intake_submit(%s::jsonb); "
    "RESET ROLE; "
    "SELECT lead_id, merged FROM intake_follow_on(%s::jsonb, %s::jsonb)"
)
INTAKE_ROLES = {
    "anon": "SET LOCAL ROLE anon; " + _INTAKE_STEPS,
    "authenticated": "SET LOCAL ROLE authenticated; " + _INTAKE_STEPS,
}
FOLLOW_ON_RESULT = 3  # the fourth statement's rows: skip three result sets


def _submit_once(submission: Submission) -> IntakeResult:
    if connection.in_atomic_block:  # e.g. under an Idempotency-Key: a savepoint, so a lost race can retry
        with transaction.atomic():
            return _run_intake(submission)
    return _run_intake(submission)  # autocommit: the string is its own transaction, no BEGIN/COMMIT round trips


def _run_intake(submission: Submission) -> IntakeResult:
    jobs, delivery_job = _follow_on_jobs()
    with connection.cursor() as cursor:
        # Only a caller we know may name a source other than the website form (leads.intake.body).
        role = "anon" if submission.source == LeadSource.WEBSITE_FORM else "authenticated"
        cursor.execute(INTAKE_ROLES[role], [json.dumps(_intake_document(submission)), jobs, delivery_job])
        for _ in range(FOLLOW_ON_RESULT):
            cursor.nextset()
        lead_id, merged = cursor.fetchone()
    return IntakeResult(lead_id=lead_id, merged=merged)


def _intake_document(submission: Submission) -> dict[str, Any]:
    """What intake_submit() writes. Both events are prepared: only the database knows if this is a resubmission."""
    return {
        "lead": {
            "name": submission.name,
            "email": submission.email,
            "phone": submission.phone,
            "company": submission.company,
            "role": submission.role,
            "location": submission.location,
            "message": submission.message,
            "source": submission.source,
        },
        "products": _interests_json(submission),
        "resubmission": _resubmission_event(submission),
        "consent": (
            _consent_event(consent=submission.consent, ip_address=submission.ip_address) if submission.consent else None
        ),
    }


def _interests_json(submission: Submission) -> list[dict[str, Any]]:
    return [
        {"category": p.category, "product": p.product, "quantity": p.quantity, "notes": p.notes}
        for p in submission.product_interests
    ]


def _resubmission_event(submission: Submission) -> dict[str, Any]:
    products = ", ".join(
        f"{p.product} ({p.quantity})" if p.quantity else p.product for p in submission.product_interests
    )
    summary = "Submitted again today"
    if products:
        summary += f"; also interested in: {products}"
    metadata = {
        "kind": "resubmission",
        "message": submission.message,
        "source": submission.source,
        "phone": submission.phone,
        "company": submission.company,
        "location": submission.location,
        "product_interests": _interests_json(submission),
    }
    return {"message": summary, "metadata": validate_metadata(ActivityType.NOTE, metadata)}


def _consent_event(*, consent: Consent, ip_address: str | None) -> dict[str, Any]:
    opt = "opted in to" if consent.marketing_opt_in else "did not opt in to"
    metadata = {
        "privacy_notice_version": consent.privacy_notice_version,
        "privacy_accepted_at": consent.accepted_at.isoformat(),
        "marketing_opt_in": consent.marketing_opt_in,
        "ip_address": ip_address,
    }
    return {
        "message": f"Accepted privacy notice {consent.privacy_notice_version}; {opt} marketing email",
        "metadata": validate_metadata(ActivityType.CONSENT, metadata),
    }


@functools.cache
def _follow_on_jobs() -> tuple[str, str]:
    """The jobs as JSON: triage always, the acknowledgement for a new lead only, and the webhook delivery job.

    intake_follow_on() adds the lead id (or the delivery id) to their args.
    """
    # Imported here: the intake's own tasks module imports this one.
    from leads.intake.tasks import send_acknowledgement

    jobs = [_job_row(triage_lead, new_lead_only=False), _job_row(send_acknowledgement, new_lead_only=True)]
    return json.dumps(jobs), json.dumps(_job_row(deliver_webhook, new_lead_only=False))


def _job_row(task: procrastinate.tasks.Task, *, new_lead_only: bool) -> dict[str, Any]:
    """The job as procrastinate would defer it (its queue, lock and priority), as JSON."""
    job = task.configure().make_new_job()
    return {
        "queue_name": job.queue,
        "task_name": job.task_name,
        "priority": job.priority,
        "lock": job.lock,
        "queueing_lock": job.queueing_lock,
        "args": job.task_kwargs,
        "scheduled_at": job.scheduled_at.isoformat() if job.scheduled_at else None,
        "new_lead_only": new_lead_only,
    }


def consent_now(*, marketing_opt_in: bool) -> Consent:
    return Consent(
        privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        accepted_at=timezone.now(),
        marketing_opt_in=marketing_opt_in,
    )


ACKNOWLEDGEMENT = "acknowledgement"


def acknowledgement_send(*, lead_id: UUID, attempt: int = 0) -> bool:
    """Email the submitter that we have their enquiry; record every attempt.

    Returns False when it was already sent (a job may run twice). A provider
    error is recorded as a failed `email` event and raised again, so the job
    is retried with backoff; the lead itself is never touched.
    """
    # A session lock, not a transaction: the failed-attempt event below must commit although the
    # send raised. Two runs of the job (a stalled one put back while it still ran) send once.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"acknowledgement:{lead_id}"])
    try:
        return _acknowledgement_send_once(lead_id=lead_id, attempt=attempt)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"acknowledgement:{lead_id}"])


def _acknowledgement_send_once(*, lead_id: UUID, attempt: int) -> bool:
    from activity.models import LeadActivity

    already_sent = LeadActivity.objects.filter(
        lead_id=lead_id, type=ActivityType.EMAIL, status="completed", metadata__template=ACKNOWLEDGEMENT
    ).exists()
    if already_sent:
        return False
    lead = Lead.objects.get(id=lead_id)
    message = _acknowledgement_message(lead)
    base = {
        "template": ACKNOWLEDGEMENT,
        "channel": settings.EMAIL_PROVIDER,
        "to": lead.email,
        "subject": message.subject,
        "retry_count": attempt,
    }
    try:
        message.send()
    except Exception as exc:
        activity_append(
            lead_id=lead_id,
            type=ActivityType.EMAIL,
            status="failed",
            message=f"Acknowledgement email failed (attempt {attempt + 1}); will retry",
            metadata={**base, "error": f"{exc.__class__.__name__}: {exc}"[:2000]},
        )
        raise
    status = getattr(message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None) or message.extra_headers.get("Message-ID")
    activity_append(
        lead_id=lead_id,
        type=ActivityType.EMAIL,
        message=f"Acknowledgement email sent to {lead.email}",
        metadata={**base, "provider_message_id": provider_id},
    )
    return True


def _acknowledgement_message(lead: Lead) -> Any:
    from email.utils import make_msgid

    from django.core.mail import EmailMultiAlternatives
    from django.core.mail.utils import DNS_NAME
    from django.template.loader import render_to_string

    context = {
        "lead": lead,
        "first_name": lead.name.split()[0],
        "products": list(lead.products.order_by("created_at", "id")),
        "company_name": settings.COMPANY_NAME,
    }
    subject = _("We received your enquiry - %(company)s") % {"company": settings.COMPANY_NAME}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/acknowledgement.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[lead.email],
        headers={"Message-ID": make_msgid(domain=str(DNS_NAME))},
    )
    message.attach_alternative(render_to_string("emails/acknowledgement.html", context), "text/html")
    return message


def intake_state_purge() -> tuple[int, int]:
    """Forget Idempotency-Keys past their lifetime and finished rate-limit windows.

    Returns (keys deleted, buckets deleted). Both tables only ever grow otherwise.
    """
    from leads.intake.idempotency import purge_expired
    from leadsys.ratelimit import purge_before

    window = timedelta(seconds=settings.INTAKE_RATE_WINDOW_SECONDS)
    return purge_expired(), purge_before(timezone.now() - window)


# --- Held and rejected submissions -------------------------------------------------
# The form's bot checks never drop a person silently: a valid submission that was
# sent too fast (or without our stamp) is held for a manager; an obvious bot (the
# hidden field filled) leaves a short record that is purged after a retention period.


def _submission_payload(submission: Submission) -> dict[str, Any]:
    consent = submission.consent
    return {
        "name": submission.name,
        "email": submission.email,
        "phone": submission.phone,
        "company": submission.company,
        "role": submission.role,
        "location": submission.location,
        "message": submission.message,
        "source": submission.source,
        "product_interests": _interests_json(submission),
        "consent": (
            {
                "privacy_notice_version": consent.privacy_notice_version,
                "accepted_at": consent.accepted_at.isoformat(),
                "marketing_opt_in": consent.marketing_opt_in,
            }
            if consent
            else None
        ),
        "ip_address": submission.ip_address,
    }


def _submission_from_payload(payload: dict[str, Any]) -> Submission:
    consent = payload.get("consent")
    return Submission(
        **{key: payload.get(key) for key in ("name", "email", "phone", "company", "role", "location", "message")},
        source=payload.get("source") or LeadSource.WEBSITE_FORM,
        product_interests=tuple(ProductInterest(**item) for item in payload.get("product_interests", [])),
        consent=(
            Consent(
                privacy_notice_version=consent["privacy_notice_version"],
                accepted_at=datetime.fromisoformat(consent["accepted_at"]),
                marketing_opt_in=consent["marketing_opt_in"],
            )
            if consent
            else None
        ),
        ip_address=payload.get("ip_address"),
    )


@transaction.atomic
def held_submission_create(*, submission: Submission, reason: str) -> HeldSubmission:
    """Keep a submission a bot check doubted; nothing is emailed, triaged or counted."""
    if reason not in HoldReason.values:
        raise DomainError(f"Unknown hold reason {reason!r}.", code="invalid", field="reason")
    held = HeldSubmission(reason=reason, payload=_submission_payload(submission), ip_address=submission.ip_address)
    # As anon, like the rest of public intake: it may insert and read nothing back.
    with database_role("anon"):
        held.save(force_insert=True)
    return held


@transaction.atomic
def rejected_submission_create(
    *, name: str, email: str, trap_value: str, ip_address: str | None, reason: str = "honeypot"
) -> RejectedSubmission:
    rejected = RejectedSubmission(
        reason=reason, name=name[:255], email=email[:255], trap_value=trap_value[:255], ip_address=ip_address
    )
    with database_role("anon"):
        rejected.save(force_insert=True)
    return rejected


def _held_for_decision(*, held_id: UUID, actor: Any) -> HeldSubmission:
    require_manager(actor, message=_("Only a sales manager can release or discard a held submission."))
    # The row lock makes two managers deciding at once take turns: one lead, one decision.
    held = HeldSubmission.objects.select_for_update().filter(id=held_id).first()
    if held is None:
        raise NotFound(_("This held submission does not exist."))
    if held.status != HeldStatus.HELD:
        raise Conflict(
            _("This submission was already %(status)s.") % {"status": held.get_status_display().lower()},
            code="already_decided",
        )
    return held


@transaction.atomic
def held_submission_release(*, held_id: UUID, actor: Any) -> IntakeResult:
    """A manager vouches for a held submission: it becomes a lead exactly as a normal one would
    (through lead_submit: products, consent, triage, acknowledgement, webhooks), with an event naming who."""
    held = _held_for_decision(held_id=held_id, actor=actor)
    result = lead_submit(submission=_submission_from_payload(held.payload))
    who = actor.get_full_name() or actor.get_username()
    activity_append(
        lead_id=result.lead_id,
        type=ActivityType.NOTE,
        message=f"Released from held submissions by {who} (held because: {held.get_reason_display()})",
        metadata={
            "kind": "held_release",
            "held_submission_id": str(held.id),
            "reason": held.reason,
            "held_at": held.created_at.isoformat(),
        },
        actor_type=ActorType.USER,
        actor_id=str(actor.id),
    )
    HeldSubmission.objects.filter(id=held.id).update(
        status=HeldStatus.RELEASED, decided_by=actor, decided_at=timezone.now(), lead_id=result.lead_id
    )
    return result


@transaction.atomic
def held_submission_discard(*, held_id: UUID, actor: Any) -> None:
    """A manager judges it a bot: the personal data goes, the decision (who, when, why held) stays."""
    held = _held_for_decision(held_id=held_id, actor=actor)
    HeldSubmission.objects.filter(id=held.id).update(
        status=HeldStatus.DISCARDED, decided_by=actor, decided_at=timezone.now(), payload={}, ip_address=None
    )


def rejected_submission_purge() -> int:
    """Forget honeypot hits older than REJECTED_SUBMISSION_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.REJECTED_SUBMISSION_RETENTION_DAYS)
    return RejectedSubmission.objects.filter(created_at__lt=cutoff).delete()[0]
