"""Staff requests run as `authenticated`: the mechanism, what the role may do, and what it may not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from activity.models import ActivityType, ActorType, LeadActivity, StaffRead
from activity.services import activity_append
from assignments.guards import runs_as_staff
from assignments.models import RepProfile
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_manager, make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leads.webhooks.models import WebhookEndpoint
from leadsys.roles import current_database_role

pytestmark = pytest.mark.django_db


def _run_as(user: Any, work: Callable[[], Any]) -> Any:
    @runs_as_staff
    def view(request: HttpRequest) -> Any:
        return work()

    request = RequestFactory().get("/console/")
    request.user = user
    return view(request)


def _refused(user: Any, work: Callable[[], Any]) -> None:
    with pytest.raises(DatabaseError) as caught:
        _run_as(user, work)
    assert isinstance(caught.value.__cause__, psycopg.errors.InsufficientPrivilege), caught.value


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [name])
        return cursor.fetchone()[0]


def test_it_runs_the_view_as_authenticated_with_the_users_id_and_resets_after() -> None:
    rep, manager = make_rep(), make_manager()
    seen = _run_as(rep, lambda: (current_database_role(), _setting("app.user_id"), _setting("app.is_manager")))
    assert seen == ("authenticated", str(rep.id), "false")
    assert _run_as(manager, lambda: _setting("app.is_manager")) == "true"
    assert current_database_role() == "none" and _setting("app.user_id") == ""


def test_it_passes_an_anonymous_request_through_as_the_owner() -> None:
    assert _run_as(AnonymousUser(), current_database_role) == "none"


def test_it_rolls_back_the_role_with_the_view_on_an_error() -> None:
    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        _run_as(make_rep(), fails)
    assert current_database_role() == "none"


def test_it_lets_a_rep_record_what_they_did_as_themselves() -> None:
    rep, lead = make_rep(), LeadFactory()
    event = _run_as(
        rep,
        lambda: activity_append(
            lead_id=lead.id,
            type=ActivityType.NOTE,
            message="Called back",
            actor_type=ActorType.USER,
            actor_id=str(rep.id),
        ),
    )
    assert LeadActivity.objects.filter(id=event.id, actor_id=str(rep.id)).exists()


def test_it_refuses_an_event_in_another_users_name_or_as_the_system() -> None:
    rep, other, lead = make_rep(), make_rep(), LeadFactory()
    for actor_type, actor_id in ((ActorType.USER, str(other.id)), (ActorType.SYSTEM, None)):
        _refused(
            rep,
            lambda t=actor_type, a=actor_id: LeadActivity.objects.create(
                lead=lead, type=ActivityType.NOTE, message="forged", actor_type=t, actor_id=a
            ),
        )
    assert not LeadActivity.objects.filter(message="forged").exists()


def test_it_lets_only_a_manager_record_an_assignment_event() -> None:
    rep, manager, lead = make_rep(), make_manager(), LeadFactory()

    def event(user: User) -> Callable[[], LeadActivity]:
        return lambda: LeadActivity.objects.create(
            lead=lead, type=ActivityType.ASSIGNMENT, message="moved", actor_type=ActorType.USER, actor_id=str(user.id)
        )

    _refused(rep, event(rep))
    assert _run_as(manager, event(manager)).actor_id == str(manager.id)


def test_it_refuses_rewriting_source_data_through_the_orm() -> None:
    lead = LeadFactory(email="first@example.com")
    _refused(make_rep(), lambda: Lead.objects.filter(id=lead.id).update(email="forged@example.com"))
    lead.refresh_from_db()
    assert lead.email == "first@example.com"


@pytest.mark.parametrize(
    "read",
    [
        lambda: list(User.objects.values_list("password", flat=True)),
        lambda: list(Token.objects.values_list("key", flat=True)),
        lambda: list(WebhookEndpoint.objects.all()),
        lambda: list(StaffRead.objects.all()),
        lambda: connection.cursor().execute("SELECT session_data FROM django_session"),
        lambda: connection.cursor().execute("SELECT key FROM otp_totp_totpdevice"),
    ],
    ids=["password", "token", "webhook_secret", "audit", "session", "otp_key"],
)
def test_it_refuses_reading_secrets(read: Callable[[], Any]) -> None:
    make_rep()
    _refused(make_rep(), read)


def test_it_refuses_writing_the_audit_and_changing_a_rep_profile_beyond_the_round_robin_stamp() -> None:
    rep = make_rep()
    _refused(rep, lambda: StaffRead.objects.create(user_id=rep.id, username="x", kind="csv_export", row_count=0))
    _refused(rep, lambda: RepProfile.objects.filter(user=rep).update(max_open_leads=9999))
    assert _run_as(rep, lambda: RepProfile.objects.filter(user=rep).update(last_assigned_at=None)) == 1


def test_it_reads_the_four_tables_as_authenticated() -> None:
    assignment = AssignmentFactory()
    assert _run_as(make_rep(), lambda: Lead.objects.filter(id=assignment.lead_id).count()) == 1


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _wrapped(view: Any) -> bool:
    if getattr(view, "runs_as_staff", False):
        return True
    cls = getattr(view, "cls", None)  # DRF's @api_view: the handler's closure holds our function
    handlers = [getattr(cls, m) for m in ("get", "post", "patch") if cls is not None and hasattr(cls, m)]
    cells = [c.cell_contents for h in handlers for c in (getattr(h, "__closure__", None) or ())]
    return any(getattr(cell, "runs_as_staff", False) for cell in cells)


def test_it_wraps_every_console_and_token_api_view() -> None:
    public = ("api/v1/schema/", "api/v1/docs/", "api/v1/submissions/", "api/v1/^[\\s\\S]*$")
    views = [
        (path, view) for path, view in _views(get_resolver().url_patterns) if path.startswith(("console/", "api/v1/"))
    ]
    staff = [(path, view) for path, view in views if not path.startswith(public + ("console/held/",))]
    assert len(staff) > 30
    assert [path for path, view in staff if not _wrapped(view)] == []


def test_the_owner_outside_staff_requests_still_writes_system_events() -> None:
    lead = LeadFactory()
    with transaction.atomic():
        event = activity_append(lead_id=lead.id, type=ActivityType.NOTE, message="system", actor_type=ActorType.SYSTEM)
    assert event.actor_type == ActorType.SYSTEM
