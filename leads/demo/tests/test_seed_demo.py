"""manage.py seed_demo: staff, the plan's sample lead, generated leads, and the dashboard after COPY."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from activity.metadata import validate_metadata
from activity.models import LeadActivity
from assignments import routing
from assignments.business_hours import sla_deadline
from assignments.models import MANAGERS_GROUP, REPS_GROUP, Assignment, RepProfile
from assignments.schedule import first_follow_up
from leads.demo.data import DEMO_EMAIL_DOMAIN
from leads.demo.seed import DEMO_PASSWORD, SAMPLE_LEAD_ID
from leads.models import Lead, LeadProduct
from leads.selectors import dashboard_stats, lead_full

pytestmark = pytest.mark.django_db
N = 300


@pytest.fixture(autouse=True)
def _settings(settings: object) -> None:
    settings.DEBUG = True  # the command refuses to create demo accounts otherwise
    # Six accounts per test: the default hasher's million rounds would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str, **options: object) -> None:
    call_command("seed_demo", *args, verbosity=0, **options)


def generated() -> list[Lead]:
    return list(Lead.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}"))


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(sum(n), 0) FROM lead_daily_counts")
        counted_leads = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(sum(completed), 0) FROM assignment_daily_responses")
        counted_responses = cursor.fetchone()[0]
    return {
        "leads": Lead.objects.count(),
        "products": LeadProduct.objects.count(),
        "events": LeadActivity.objects.count(),
        "assignments": Assignment.objects.count(),
        "users": User.objects.count(),
        "counted_leads": counted_leads,
        "counted_responses": counted_responses,
    }


def database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def test_it_loads_the_sample_lead_with_products_events_assignment_and_pending_follow_up() -> None:
    seed(leads=0)

    priya = Lead.objects.get(id=SAMPLE_LEAD_ID)
    assert (priya.name, priya.email, priya.role, priya.location, priya.status) == (
        "Priya Sharma",
        "priya.sharma@example.com",
        "Architect",
        "Mumbai",
        "new",
    )
    assert sorted(priya.products.values_list("category", "product", "quantity")) == [
        ("Flooring", "Premium Laminate Flooring", "2000 sq ft"),
        ("Wall", "Designer Wall Panels", "500 sq ft"),
    ]
    events = Counter(priya.activities.values_list("type", "status"))
    assert events[("ai_result", "completed")] == 1
    assert events[("assignment", "completed")] == 1
    assert events[("follow_up", "pending")] == 1
    assert events[("approval", "pending")] == 1

    rep1 = User.objects.get(username="rep1")
    assignment = Assignment.objects.get(lead=priya)
    assert (assignment.status, assignment.owner_id, assignment.owner_name) == ("active", str(rep1.id), "Neha Patel")
    assert assignment.sla_deadline > assignment.assigned_at

    full = lead_full(lead_id=SAMPLE_LEAD_ID)
    assert full["ai_analysis"]["priority"] == "high"
    assert full["current_assignment"]["owner_id"] == str(rep1.id)
    assert [f["metadata"]["action"] for f in full["pending_follow_ups"]] == ["call"]
    assert len(full["products"]) == 2
    assert Lead.objects.count() == 1  # --leads 0: nothing generated


def test_it_creates_staff_accounts_that_can_log_in(client: object) -> None:
    seed(leads=0)

    for username in ("admin", "manager", "rep1", "rep2", "rep3", "rep4"):
        # django-axes needs the request its lockout is keyed on; client.login() has none of its own.
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), username
        assert client.get("/admin/").status_code == 200
        client.logout()
    assert not client.login(request=HttpRequest(), username="rep1", password="wrong-password")

    assert User.objects.get(username="admin").is_superuser
    manager = User.objects.get(username="manager")
    assert manager.is_staff and manager.groups.filter(name=MANAGERS_GROUP).exists()
    reps = User.objects.filter(groups__name=REPS_GROUP).order_by("username")
    assert [u.username for u in reps] == ["rep1", "rep2", "rep3", "rep4"]
    profiles = RepProfile.objects.filter(user__in=reps)
    assert profiles.count() == 4
    assert all(p.availability == "available" and p.max_open_leads > 0 and p.manager == manager for p in profiles)
    assert any(p.categories for p in profiles) and any(p.locations for p in profiles)


def test_it_generates_leads_spread_across_sources_roles_statuses_products_and_sixty_days() -> None:
    before = timezone.now()
    seed(leads=N)
    after = timezone.now()

    leads = generated()
    assert len(leads) == N
    assert len({lead.source for lead in leads}) >= 4
    assert len({lead.role for lead in leads}) >= 5
    assert {"new", "contacted", "qualified", "converted", "lost"} <= {lead.status for lead in leads}
    assert all(before - timedelta(days=60) <= lead.created_at <= after for lead in leads)
    zone = ZoneInfo(settings.TIME_ZONE)
    assert len({timezone.localtime(lead.created_at, zone).date() for lead in leads}) >= 40
    ids = [lead.id for lead in leads]
    categories = set(LeadProduct.objects.filter(lead_id__in=ids).values_list("category", flat=True))
    assert categories == {"Flooring", "Wall", "Lighting", "Laminates"}

    rep_ids = {str(u.id) for u in User.objects.filter(groups__name=REPS_GROUP)}
    assignments = list(Assignment.objects.filter(lead_id__in=ids))
    assert {a.owner_id for a in assignments} <= rep_ids
    assert len({a.owner_id for a in assignments}) == 4
    # The SLA trigger ran on every COPY'd row.
    for a in assignments:
        assert a.sla_met == (None if a.completed_at is None else a.completed_at <= a.sla_deadline)
    ai_results = Counter(LeadActivity.objects.filter(type="ai_result").values_list("lead_id", flat=True))
    assert all(ai_results[i] == 1 for i in ids)


def test_it_routes_schedules_and_holds_spam_as_the_live_services_do() -> None:
    seed(leads=N)

    profiles = {str(p.user_id): p for p in RepProfile.objects.all()}
    leads = {lead.id: lead for lead in generated()}
    events: dict[object, list[LeadActivity]] = {}
    for event in LeadActivity.objects.filter(lead_id__in=leads).order_by("created_at"):
        events.setdefault(event.lead_id, []).append(event)
    assignments = {a.lead_id: a for a in Assignment.objects.filter(lead_id__in=leads)}
    held = 0
    for lead_id, lead in leads.items():
        ai = next(e for e in events[lead_id] if e.type == "ai_result").metadata
        if ai["intent"] == "spam":
            held += 1
            assert lead_id not in assignments
            assert [e.metadata["kind"] for e in events[lead_id] if e.type == "note"] == ["spam_held"]
            continue
        assignment = assignments[lead_id]
        assert assignment.sla_deadline == sla_deadline(assignment.assigned_at, routing.sla_minutes(ai["priority"]))
        profile = profiles[assignment.owner_id]
        categories = {c.casefold() for c in lead.products.values_list("category", flat=True)}
        assert routing.covers_categories(profile.categories, categories)
        assert routing.covers_location(profile.locations, lead.location)
        suggested = next(e for e in events[lead_id] if e.type == "follow_up" and e.actor_type == "ai")
        action, due, reason = first_follow_up(ai["suggested_action"], suggested.created_at)
        assert suggested.metadata["action"] == action and suggested.metadata["reason"] == reason
        assert datetime.fromisoformat(suggested.metadata["scheduled_for"]) == due
    assert 0 < held < N


def test_it_writes_events_that_pass_their_metadata_schemas_and_contact_times_that_match_them() -> None:
    seed(leads=N)

    contacts: dict[object, list[datetime]] = {}
    for event in LeadActivity.objects.filter(lead__email__endswith=f"@{DEMO_EMAIL_DOMAIN}"):
        validate_metadata(event.type, event.metadata)  # raises on any field the schema refuses
        is_contact = (
            event.type == "call"
            or (event.type == "email" and event.status == "completed" and event.actor_type == "user")
            or (event.type == "status_change" and event.metadata["to_status"] == "contacted")
        )
        if is_contact:
            contacts.setdefault(event.lead_id, []).append(event.created_at)
    for lead in generated():
        times = contacts.get(lead.id)
        assert lead.first_response_at == (min(times) if times else None)
        assert lead.last_contact_at == (max(times) if times else None)


def test_it_does_not_duplicate_anything_when_run_twice() -> None:
    seed(leads=N)
    first = table_counts()
    seed(leads=N)

    assert table_counts() == first
    assert first["leads"] == N + 1 == first["counted_leads"]


def test_it_tops_up_to_the_same_leads_one_run_writes_also_with_worker_processes() -> None:
    seed(leads=N)
    one_run = {(lead.id, lead.email) for lead in generated()}
    with connection.cursor() as cursor:  # cascades to products, events and assignments
        cursor.execute("DELETE FROM leads WHERE email LIKE %s", [f"%@{DEMO_EMAIL_DOMAIN}"])
    assert generated() == []

    seed(leads=120)
    seed(leads=N, workers=2, chunk_size=100)

    assert {(lead.id, lead.email) for lead in generated()} == one_run
    assert table_counts()["counted_leads"] == N + 1


def test_it_leaves_the_dashboard_figures_equal_to_counts_made_here() -> None:
    seed(leads=N)
    now = database_now()  # get_dashboard_stats() reads the transaction's now()
    zone = ZoneInfo(settings.TIME_ZONE)

    leads = list(Lead.objects.values_list("created_at", "status"))
    recent = [status for created, status in leads if created > now - timedelta(days=30)]
    pending_follow_ups = [
        e
        for e in LeadActivity.objects.filter(type="follow_up", status="pending")
        if datetime.fromisoformat(e.metadata["scheduled_for"]) <= now + timedelta(hours=1)
    ]
    minutes = [
        (Decimal((a.completed_at - a.assigned_at).total_seconds()) / 60).quantize(Decimal(1), ROUND_HALF_UP)
        for a in Assignment.objects.filter(completed_at__gt=now - timedelta(days=30))
    ]
    converted = sum(1 for status in recent if status == "converted")

    assert dashboard_stats() == {
        "total_leads": len(leads),
        "new_leads_today": sum(
            1 for created, _ in leads if created.astimezone(zone).date() == now.astimezone(zone).date()
        ),
        "pending_follow_ups": len(pending_follow_ups),
        "pending_approvals": LeadActivity.objects.filter(type="approval", status="pending").count(),
        # The plan's live figure: active assignments past their deadline now.
        "sla_violations": Assignment.objects.filter(status="active", sla_deadline__lt=now).count(),
        # What the escalation job recorded in the last 30 days, one per assignment.
        "sla_breaches_30d": LeadActivity.objects.filter(type="sla_breach", created_at__gt=now - timedelta(days=30))
        .values("metadata__assignment_id")
        .distinct()
        .count(),
        "avg_response_time_minutes": int((sum(minutes) / len(minutes)).quantize(Decimal(1), ROUND_HALF_UP)),
        "conversion_rate": float((Decimal(converted * 100) / len(recent)).quantize(Decimal("0.01"), ROUND_HALF_UP)),
    }
    assert len(leads) == N + 1 and minutes and pending_follow_ups  # the comparison covered real data


def test_it_refuses_to_run_without_debug_and_writes_nothing(settings: object) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed(leads=10)
    assert not User.objects.filter(username="admin").exists()
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(("args", "option"), [(("--leads", "-5"), "--leads"), (("--chunk-size", "0"), "--chunk-size")])
def test_it_refuses_bad_numbers_and_writes_nothing(args: tuple[str, str], option: str) -> None:
    with pytest.raises(CommandError, match=option):
        seed(*args)
    with pytest.raises(CommandError, match="--leads: must not be negative"):
        seed(leads=-1)
    assert Lead.objects.count() == 0
    assert not User.objects.filter(username="rep1").exists()
