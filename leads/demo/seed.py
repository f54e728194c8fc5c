"""What `manage.py seed_demo` writes: demo staff, the plan's sample lead, generated leads.

Everything is idempotent: staff and the sample lead are created only where
missing, and generated lead k has a fixed id (leads.demo.data), so a second
run writes only the leads that are not there yet. Generated rows go in with
COPY, one transaction per chunk, through the same connection as the ORM, so
the triggers (daily counters, SLA figures, contact times) see every row and a
run interrupted half-way resumes where it stopped.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from activity.metadata import iso, validate_metadata
from activity.models import ActorType
from activity.services import activity_append
from assignments.business_hours import calendar_from_settings, sla_deadline
from assignments.models import MANAGERS_GROUP, REPS_GROUP, Assignment, RepProfile
from assignments.routing import display_name, sla_minutes
from leads.demo import data as demo_data
from leads.models import Lead, LeadProduct
from leadsys.exceptions import DomainError

DEMO_PASSWORD = "demo12345"
DEMO_SEED = 1
# The plan's sample id is not a UUID (SEED-NOTES #2); this one is.
SAMPLE_LEAD_ID = UUID("3f1c2a9e-8b7d-4c5e-9a1f-2b3c4d5e6f70")
SAMPLE_LEAD_EMAIL = "priya.sharma@example.com"


@dataclass(frozen=True)
class DemoRep:
    username: str
    first_name: str
    last_name: str
    categories: tuple[str, ...] = ()  # empty = all
    locations: tuple[str, ...] = ()
    max_open_leads: int = 50


# rep1 is the plan's Neha Patel; she covers Mumbai, where Priya is.
DEMO_REPS = (
    DemoRep("rep1", "Neha", "Patel", locations=("Mumbai", "Thane", "Navi Mumbai", "Pune"), max_open_leads=60),
    DemoRep("rep2", "Arjun", "Mehta", categories=("Flooring", "Laminates")),
    DemoRep("rep3", "Kavya", "Iyer", categories=("Wall", "Lighting")),
    DemoRep("rep4", "Rohan", "Gupta", max_open_leads=40),
)
DEMO_MANAGER = ("manager", "Vikram", "Rao")
DEMO_ADMIN = "admin"


# --- staff --------------------------------------------------------------------------


@transaction.atomic
def demo_staff_ensure() -> list[str]:
    """The manager, the four reps and the superuser; returns the usernames created now.

    An existing account is left as it is (its password included): someone
    may have changed it on purpose.
    """
    reps_group, _ = Group.objects.get_or_create(name=REPS_GROUP)
    managers_group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    created: list[str] = []

    if not User.objects.filter(username=DEMO_ADMIN).exists():
        User.objects.create_superuser(DEMO_ADMIN, "admin@example.com", DEMO_PASSWORD)
        created.append(DEMO_ADMIN)

    username, first, last = DEMO_MANAGER
    manager, was_created = _staff_user(username, first, last)
    manager.groups.add(managers_group)
    if was_created:
        created.append(username)

    for rep in DEMO_REPS:
        user, was_created = _staff_user(rep.username, rep.first_name, rep.last_name)
        user.groups.add(reps_group)
        RepProfile.objects.get_or_create(
            user=user,
            defaults={
                "categories": list(rep.categories),
                "locations": list(rep.locations),
                "max_open_leads": rep.max_open_leads,
                "manager": manager,
            },
        )
        if was_created:
            created.append(rep.username)
    return created


def _staff_user(username: str, first_name: str, last_name: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        username,
        f"{username}@example.com",
        DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
    )
    return user, True


def demo_reps() -> list[demo_data.Staff]:
    """The reps the generated leads are routed to, as routing sees them."""
    profiles = (
        RepProfile.objects.select_related("user")
        .filter(user__is_active=True, user__groups__name=REPS_GROUP)
        .distinct()
        .order_by("user_id")
    )
    return [
        demo_data.Staff(
            id=str(p.user_id),
            name=display_name(p.user),
            categories=frozenset(p.categories or ()),
            locations=frozenset(p.locations or ()),
        )
        for p in profiles
    ]


def demo_managers() -> list[demo_data.Staff]:
    users = User.objects.filter(is_active=True, groups__name=MANAGERS_GROUP).distinct().order_by("id")
    return [demo_data.Staff(id=str(u.id), name=display_name(u)) for u in users]


# --- the plan's sample lead ---------------------------------------------------------------


@transaction.atomic
def sample_lead_ensure(*, owner: User, now: datetime) -> bool:
    """Priya Sharma as in the plan, with a valid id; False when she is already there."""
    if Lead.objects.filter(id=SAMPLE_LEAD_ID).exists():
        return False
    Lead(
        id=SAMPLE_LEAD_ID,
        created_at=now,
        updated_at=now,
        name="Priya Sharma",
        email=SAMPLE_LEAD_EMAIL,
        phone="+91 9876543210",
        role="Architect",
        location="Mumbai",
        message="Looking for premium flooring options for luxury apartment project",
        status="new",
        source="website_form",
    ).save(force_insert=True)
    LeadProduct.objects.bulk_create(
        [
            LeadProduct(
                lead_id=SAMPLE_LEAD_ID,
                created_at=now,
                category="Flooring",
                product="Premium Laminate Flooring",
                quantity="2000 sq ft",
            ),
            LeadProduct(
                lead_id=SAMPLE_LEAD_ID,
                created_at=now,
                category="Wall",
                product="Designer Wall Panels",
                quantity="500 sq ft",
            ),
        ]
    )
    _event(
        "consent",
        "Privacy notice accepted",
        {
            "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
            "privacy_accepted_at": iso(now),
            "marketing_opt_in": False,
        },
    )
    _event(
        "ai_result",
        "AI analyzed lead and suggested priority action",
        {
            "intent": "quote_request",
            "lead_type": "architect",
            "priority": "high",
            "suggested_action": "call_within_30_min",
            "reasoning": "High-value commercial project with specific product requirements",
            "model": "llama-3.1-70b-versatile",
            "prompt_version": "v1.0",
        },
        actor_type=ActorType.AI,
    )
    deadline = sla_deadline(now, sla_minutes("high"))
    assignment = Assignment(lead_id=SAMPLE_LEAD_ID, assigned_at=now, owner_id=str(owner.id), sla_deadline=deadline)
    assignment.owner_name = display_name(owner)
    assignment.save(force_insert=True)
    _event(
        "assignment",
        f"Lead auto-assigned to {assignment.owner_name}",
        {
            "assigned_by": "system",
            "assignment_id": str(assignment.id),
            "owner_id": assignment.owner_id,
            "owner_name": assignment.owner_name,
            "sla_deadline": iso(deadline),
            "priority": "high",
            "rule": "round_robin",
        },
    )
    _event(
        "approval",
        "High-value lead: manager approval needed",
        {
            "approval_type": "high_value_lead",
            "requires_manager": True,
            "ai_recommendation": "Offer project pricing and a site visit",
        },
        status="pending",
    )
    _event(
        "follow_up",
        "Sales call follow-up scheduled",
        {"action": "call", "scheduled_for": iso(now + timedelta(minutes=30)), "reason": "high_priority_lead"},
        status="pending",
    )
    _event(
        "email",
        f"Acknowledgement email sent to {SAMPLE_LEAD_EMAIL}",
        {
            "template": "acknowledgement",
            "to": SAMPLE_LEAD_EMAIL,
            "subject": f"We received your enquiry - {settings.COMPANY_NAME}",
        },
    )
    return True


def _event(kind: str, message: str, metadata: dict[str, Any], **options: Any) -> None:
    activity_append(lead_id=SAMPLE_LEAD_ID, type=kind, message=message, metadata=metadata, **options)


# --- generated leads ------------------------------------------------------------------


@dataclass
class LoadResult:
    requested: int
    created: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(demo_data.COLUMNS, 0))

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generated_leads_ensure(
    *,
    count: int,
    now: datetime,
    workers: int = 0,
    chunk_size: int = demo_data.CHUNK_SIZE,
    progress: Callable[[LoadResult, int], None] | None = None,
) -> LoadResult:
    """Make generated leads 0..count-1 exist; returns what this run wrote.

    With workers > 0, that many spawned processes generate the next chunks
    while this one streams the current chunk into PostgreSQL; with 0 this
    process generates them itself.
    """
    options = {
        "seed": DEMO_SEED,
        "now": now,
        "tz": ZoneInfo(settings.TIME_ZONE),
        "reps": demo_reps(),
        "managers": demo_managers(),
        "sla_minutes": dict(settings.SLA_MINUTES),
        "calendar": calendar_from_settings(),
        "high_value_types": frozenset(settings.HIGH_VALUE_LEAD_TYPES),
        "company": settings.COMPANY_NAME,
    }
    if not options["reps"] or not options["managers"]:
        raise DomainError("Generated leads need at least one rep and one manager (demo_staff_ensure creates them).")
    generator = demo_data.DemoGenerator(**options)
    result = LoadResult(requested=count)
    validated = False
    with _executor(workers, options) as executor:
        queue: deque[Future[demo_data.Payload]] = deque()
        for start in range(0, count, chunk_size):
            missing = _missing_leads(generator, range(start, min(count, start + chunk_size)))
            if not missing:
                continue
            if not validated:
                # The first chunk is generated here and every event checked
                # against its schema before anything is written.
                queue.append(_done(_validated_payload(generator, missing)))
                validated = True
            else:
                queue.append(executor.submit(demo_data.worker_generate, missing))
            while len(queue) > max(workers, 1):
                _copy_chunk(queue.popleft().result(), result, progress)
        while queue:
            _copy_chunk(queue.popleft().result(), result, progress)
    if result.created >= 10_000:
        with connection.cursor() as cursor:  # fresh statistics for the dashboard and console queries
            cursor.execute("ANALYZE leads, lead_products, assignments, lead_activity")
    return result


def _missing_leads(generator: demo_data.DemoGenerator, numbers: range) -> list[int]:
    ids = {generator.lead_id(k): k for k in numbers}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id::text FROM leads WHERE id = ANY(%s::uuid[])", [list(ids)])
        stored = {row[0] for row in cursor.fetchall()}
    return [k for lead_id, k in ids.items() if lead_id not in stored]


def _validated_payload(generator: demo_data.DemoGenerator, numbers: list[int]) -> demo_data.Payload:
    chunk = generator.leads(numbers, keep_metadata=True)
    for kind, metadata in chunk.metadata or ():
        validate_metadata(kind, metadata)
    return chunk.payload()


def _copy_chunk(
    payload: demo_data.Payload, result: LoadResult, progress: Callable[[LoadResult, int], None] | None
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # A crash loses at most the last chunks, which the next run writes again.
        cursor.execute("SET LOCAL synchronous_commit TO off")
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        for table, columns in demo_data.COLUMNS.items():
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(payload.data[table])
    result.created += payload.rows["leads"]
    for table, n in payload.rows.items():
        result.rows[table] += n
    if progress is not None:
        progress(result, payload.rows["leads"])


def _done(value: demo_data.Payload) -> Future[demo_data.Payload]:
    future: Future[demo_data.Payload] = Future()
    future.set_result(value)
    return future


class _InlineExecutor(Executor):
    """No worker process: generate when submitted."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _done(fn(*args, **kwargs))


@contextmanager
def _executor(workers: int, options: dict[str, Any]) -> Iterator[Executor]:
    if workers == 0:
        demo_data.worker_init(options)
        yield _InlineExecutor()
        return
    # spawn, not fork: the parent holds an open database connection and threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=demo_data.worker_init, initargs=(options,)
    ) as pool:
        yield pool
