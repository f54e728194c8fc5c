"""REP_VISIBILITY (all|own) in the console, the CSV export and the API alike, and the audit of staff reads."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from activity.models import LeadActivity, StaffRead, StaffReadKind
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_manager, make_rep
from leads import labels
from leads.api.tests.support import TokenClient
from leads.console.tests.overview_support import client_for
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@dataclass
class Desk:
    rep: User
    other: User
    manager: User
    own: Lead
    others: Lead
    waiting: Lead


@pytest.fixture
def desk() -> Desk:
    rep, other, manager = make_rep(), make_rep(), make_manager()
    own, others, waiting = (LeadFactory(name=name) for name in ("Asha Own", "Bela Others", "Chitra Waiting"))
    AssignmentFactory(lead=own, owner_id=str(rep.id))
    AssignmentFactory(lead=others, owner_id=str(other.id))
    AssignmentFactory(lead=waiting, owner_id=str(rep.id), completed=True)  # closed: waiting unassigned again
    return Desk(rep, other, manager, own, others, waiting)


def _csv_names(client: Client, query: str = "") -> set[str]:
    response = client.get("/console/leads/export.csv" + query)
    assert response.status_code == 200
    body, _, trailer = b"".join(response.streaming_content).decode().rstrip("\n").rpartition("\n")
    rows = list(csv.DictReader(io.StringIO(body + "\n")))
    assert trailer == f"# complete: {len(rows)} rows"
    return {row[labels.label("column", "name")] for row in rows}


def _api(user: User) -> TokenClient:
    return TokenClient(user) if not hasattr(user, "auth_token") else _Again(user)


class _Again(TokenClient):
    """A second client for a user who has a token already (one token per user)."""

    def __init__(self, user: User) -> None:
        super().__init__(None)
        self.user = user
        self.headers = {"HTTP_AUTHORIZATION": f"Token {user.auth_token.key}"}


def _api_names(user: User) -> set[str]:
    response = _api(user).get("/leads/", {"limit": 100})
    assert response.status_code == 200
    return {lead["name"] for lead in response.json()["results"]}


def test_it_shows_a_rep_only_their_own_and_waiting_leads_with_own(desk: Desk, settings: Any) -> None:
    settings.REP_VISIBILITY = "own"
    client = client_for(desk.rep)
    assert client.get(f"/console/leads/{desk.own.id}/").status_code == 200
    assert client.get(f"/console/leads/{desk.waiting.id}/").status_code == 200
    assert client.get(f"/console/leads/{desk.others.id}/").status_code == 404
    listed = client.get("/console/leads/").content.decode()
    assert "Asha Own" in listed and "Chitra Waiting" in listed and "Bela Others" not in listed
    assert _csv_names(client) == {"Asha Own", "Chitra Waiting"}
    assert _api_names(desk.rep) == {"Asha Own", "Chitra Waiting"}
    assert _api(desk.rep).get(f"/leads/{desk.others.id}/").status_code == 404
    assert _api(desk.rep).get(f"/leads/{desk.others.id}/activities/").status_code == 404


def test_it_lets_a_rep_change_nothing_on_another_reps_lead_with_own(desk: Desk, settings: Any) -> None:
    settings.REP_VISIBILITY = "own"
    client = client_for(desk.rep)
    before = LeadActivity.objects.filter(lead=desk.others).count()
    assert client.post(f"/console/leads/{desk.others.id}/note/", {"text": "mine now"}).status_code == 404
    api = _api(desk.rep)
    assert api.post(f"/leads/{desk.others.id}/activities/", {"type": "note", "message": "x"}).status_code == 404
    assert api.patch(f"/leads/{desk.others.id}/", {"status": "lost"}).status_code == 404
    assert LeadActivity.objects.filter(lead=desk.others).count() == before
    assert Lead.objects.get(id=desk.others.id).status == "new"
    assert client.post(f"/console/leads/{desk.own.id}/note/", {"text": "called, no answer"}).status_code == 302


def test_it_shows_a_manager_every_lead_with_own(desk: Desk, settings: Any) -> None:
    settings.REP_VISIBILITY = "own"
    client = client_for(desk.manager)
    assert client.get(f"/console/leads/{desk.others.id}/").status_code == 200
    assert _csv_names(client) == {"Asha Own", "Bela Others", "Chitra Waiting"}
    assert _api_names(desk.manager) == {"Asha Own", "Bela Others", "Chitra Waiting"}


def test_it_shows_every_rep_every_lead_with_all(desk: Desk, settings: Any) -> None:
    settings.REP_VISIBILITY = "all"
    client = client_for(desk.rep)
    assert client.get(f"/console/leads/{desk.others.id}/").status_code == 200
    assert _csv_names(client) == {"Asha Own", "Bela Others", "Chitra Waiting"}
    assert _api_names(desk.rep) == {"Asha Own", "Bela Others", "Chitra Waiting"}


def test_it_records_each_csv_export_with_its_filters_and_count(desk: Desk) -> None:
    assert _csv_names(client_for(desk.rep), "?status=new") == {"Asha Own", "Bela Others", "Chitra Waiting"}
    read = StaffRead.objects.get()
    assert (read.user_id, read.username, read.kind, read.row_count) == (
        desk.rep.id,
        desk.rep.username,
        StaffReadKind.CSV_EXPORT,
        3,
    )
    assert read.filters == {"status": "new"}


def test_it_records_each_page_of_the_api_lead_list(desk: Desk) -> None:
    response = _api(desk.manager).get("/leads/", {"limit": 2, "status": "new"})
    assert response.status_code == 200
    read = StaffRead.objects.get()
    assert (read.user_id, read.kind, read.row_count) == (desk.manager.id, StaffReadKind.API_LEAD_LIST, 2)
    assert read.filters["status"] == "new" and read.filters["limit"] == 2
    assert _api(desk.manager).get(f"/leads/{desk.own.id}/").status_code == 200
    assert StaffRead.objects.count() == 1  # one lead is not a bulk read


def test_it_shows_the_audit_to_managers_only(desk: Desk) -> None:
    _csv_names(client_for(desk.rep))
    assert client_for(desk.rep).get("/console/reads/").status_code == 403
    page = client_for(desk.manager).get("/console/reads/")
    assert page.status_code == 200
    assert desk.rep.username in page.content.decode() and "CSV export" in page.content.decode()


def _due_follow_up(lead: Lead) -> LeadActivity:
    from datetime import timedelta

    from django.utils import timezone

    return LeadActivity.objects.create(
        lead=lead,
        type="follow_up",
        status="pending",
        actor_type="system",
        message="call back",
        metadata={"action": "call", "scheduled_for": (timezone.now() - timedelta(hours=1)).isoformat()},
    )


@pytest.mark.parametrize("visibility", ["own", "all"])
def test_due_follow_ups_follow_the_visibility_rule_as_row_level_security_would(
    desk: Desk, settings: Any, visibility: str
) -> None:
    """The follow-up functions read as their owner (so their keyset uses its index) and apply the rule themselves."""
    from activity.selectors import pending_follow_ups
    from leadsys.roles import staff_role

    settings.REP_VISIBILITY = visibility
    items = {lead.id: _due_follow_up(lead) for lead in (desk.own, desk.others, desk.waiting)}
    with staff_role(user_id=desk.rep.id, is_manager=False):
        team = {row["lead_id"] for row in pending_follow_ups(limit=50)}
        mine = {row["lead_id"] for row in pending_follow_ups(limit=50, owner_id=str(desk.rep.id))}
        # What the rep may read of the event log under its policies, the rule's own answer.
        visible = set(
            LeadActivity.objects.filter(id__in=[i.id for i in items.values()]).values_list("lead_id", flat=True)
        )
    with staff_role(user_id=desk.manager.id, is_manager=True):
        managers = {row["lead_id"] for row in pending_follow_ups(limit=50)}

    expected = {desk.own.id, desk.waiting.id} if visibility == "own" else set(items)
    assert visible == expected
    assert team == expected
    assert mine == {desk.own.id}
    assert managers == set(items)


@pytest.mark.parametrize("visibility", ["own", "all"])
def test_the_lead_document_follows_the_visibility_rule_as_row_level_security_would(
    desk: Desk, settings: Any, visibility: str
) -> None:
    """get_lead_full() reads as its owner and checks the rule on the lead; the previous definition
    (leads/migrations/0021) read under the policies. Both give each person the same documents."""
    import importlib
    import json

    from django.db import connection

    from leads.selectors import lead_full
    from leadsys.roles import staff_role

    previous = importlib.import_module("leads.migrations.0021_lead_full_one_scan").GET_LEAD_FULL
    with connection.cursor() as cursor:
        cursor.execute(previous.replace("FUNCTION get_lead_full(", "FUNCTION pg_temp.lead_full_under_policies("))

    def under_policies(lead_id: object) -> dict | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_temp.lead_full_under_policies(%s)::text", [lead_id])
            text = cursor.fetchone()[0]
        return json.loads(text) if text else None

    settings.REP_VISIBILITY = visibility
    leads = (desk.own, desk.others, desk.waiting)
    for lead in leads:
        _due_follow_up(lead)
    for user, manages in ((desk.rep, False), (desk.manager, True)):
        with staff_role(user_id=user.id, is_manager=manages):
            documents = {lead.id: lead_full(lead_id=lead.id) for lead in leads}
            expected = {lead.id: under_policies(lead.id) for lead in leads}
        assert documents == expected
        hidden = {lead.id for lead, doc in zip(leads, documents.values(), strict=True) if doc is None}
        assert hidden == ({desk.others.id} if visibility == "own" and not manages else set())
