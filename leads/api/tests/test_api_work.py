"""Follow-ups, approvals, assignments and the dashboard over the API: happy paths, boundaries, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from activity.models import LeadActivity
from activity.selectors import pending_follow_ups
from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_rep
from leads.api.tests.support import error_code, manager_client, outsider_client, rep_client
from leads.selectors import dashboard_stats
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


# --- Follow-ups -------------------------------------------------------------------------------


def test_it_lists_pending_follow_ups_as_the_sql_function_does() -> None:
    FollowUpFactory(scheduled_for=timezone.now() - timedelta(hours=1))
    FollowUpFactory(scheduled_for=timezone.now() - timedelta(hours=3))

    response = rep_client().get("/follow-ups/")

    assert response.status_code == 200
    expected = pending_follow_ups(limit=50)
    assert [row["activity_id"] for row in response.json()] == [str(row["activity_id"]) for row in expected]
    assert len(expected) == 2


def test_it_schedules_a_follow_up() -> None:
    lead = LeadFactory()
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)

    response = rep_client().post(
        "/follow-ups/", {"lead_id": str(lead.id), "action": "site_visit", "scheduled_for": when.isoformat()}
    )

    assert response.status_code == 201
    item = LeadActivity.objects.get(lead=lead, type="follow_up")
    assert (item.status, item.metadata["action"]) == ("pending", "site_visit")
    assert datetime.fromisoformat(item.metadata["scheduled_for"]) == when


@pytest.mark.parametrize(
    "body",
    [
        {"lead_id": "not-a-uuid", "action": "call", "scheduled_for": "2030-01-01T10:00:00+05:30"},
        {"action": "call", "scheduled_for": "2030-01-01T10:00:00+05:30"},
        {"lead_id": "LEAD", "action": "dance", "scheduled_for": "2030-01-01T10:00:00+05:30"},
        {"lead_id": "LEAD", "action": "call", "scheduled_for": "next tuesday"},
        {"lead_id": "LEAD", "action": "call", "scheduled_for": "2030-01-01T10:00:00"},
    ],
)
def test_it_refuses_a_bad_follow_up_and_writes_nothing(body: dict[str, str]) -> None:
    lead = LeadFactory()
    if body.get("lead_id") == "LEAD":
        body["lead_id"] = str(lead.id)

    response = rep_client().post("/follow-ups/", body)

    assert response.status_code == 400
    assert not LeadActivity.objects.filter(type="follow_up").exists()


def test_it_answers_a_follow_up_for_no_such_lead_as_every_door_does_404() -> None:
    body = {"lead_id": "00000000-0000-0000-0000-000000000002", "action": "call", "scheduled_for": "2030-01-01T10:00Z"}

    response = rep_client().post("/follow-ups/", body)

    assert (response.status_code, error_code(response)) == (404, "not_found")
    assert response.json()["error"]["message"] == "No such lead."
    assert not LeadActivity.objects.filter(type="follow_up").exists()


@pytest.mark.parametrize(("verb", "status"), [("complete", "completed"), ("cancel", "cancelled")])
def test_it_closes_a_follow_up_once(verb: str, status: str) -> None:
    item = FollowUpFactory()
    client = rep_client()

    first = client.post(f"/follow-ups/{item.id}/{verb}/", {"note": "Done on the phone"})
    second = client.post(f"/follow-ups/{item.id}/{verb}/", {})

    assert first.status_code == 200
    assert first.json()["status"] == status
    item.refresh_from_db()
    assert (item.status, item.metadata["outcome"], item.metadata["decided_by"]) == (
        status,
        "Done on the phone",
        str(client.user.id),
    )
    assert second.status_code == 409
    assert error_code(second) == "already_decided"


def test_it_answers_404_for_a_follow_up_id_that_is_another_kind_of_event() -> None:
    approval = ApprovalFactory()

    response = rep_client().post(f"/follow-ups/{approval.id}/complete/", {})

    assert response.status_code == 404
    assert LeadActivity.objects.get(id=approval.id).status == "pending"


# --- Approvals --------------------------------------------------------------------------------------


def test_it_lists_approvals_by_status() -> None:
    pending = ApprovalFactory()
    ApprovalFactory(status="approved")

    response = rep_client().get("/approvals/", {"status": "pending"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(pending.id)]
    assert rep_client().get("/approvals/", {"status": "maybe"}).status_code == 400


@pytest.mark.parametrize(("verb", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_it_lets_a_manager_decide_with_a_comment(verb: str, status: str) -> None:
    item = ApprovalFactory()
    client = manager_client()

    response = client.post(f"/approvals/{item.id}/{verb}/", {"comment": "Checked the volume"})

    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.status, item.metadata["comment"], item.metadata["decided_by"]) == (
        status,
        "Checked the volume",
        str(client.user.id),
    )


def test_it_refuses_a_decision_from_a_rep_or_without_a_comment() -> None:
    item = ApprovalFactory()

    by_rep = rep_client().post(f"/approvals/{item.id}/approve/", {"comment": "I approve myself"})
    no_comment = manager_client().post(f"/approvals/{item.id}/approve/", {"comment": "  "})

    assert by_rep.status_code == 403
    assert no_comment.status_code == 400
    assert LeadActivity.objects.get(id=item.id).status == "pending"


# --- Assignments -------------------------------------------------------------------------------------


def test_it_lists_active_assignments_and_mine() -> None:
    client = rep_client()
    mine = AssignmentFactory(owner_id=str(client.user.id))
    theirs = AssignmentFactory(owner_id="other")
    AssignmentFactory(completed=True)

    everyone = client.get("/assignments/")
    only_mine = client.get("/assignments/", {"owner": "me"})

    assert sorted(row["id"] for row in everyone.json()) == sorted([str(mine.id), str(theirs.id)])
    assert [row["id"] for row in only_mine.json()] == [str(mine.id)]


def test_it_lets_the_owner_complete_an_assignment_and_refuses_another_rep() -> None:
    client = rep_client()
    assignment = AssignmentFactory(owner_id=str(client.user.id))

    by_other = rep_client().post(f"/assignments/{assignment.id}/complete/", {})
    assert by_other.status_code == 403
    assert Assignment.objects.get(id=assignment.id).status == "active"

    response = client.post(f"/assignments/{assignment.id}/complete/", {"note": "Sorted by WhatsApp"})

    assert response.status_code == 200
    done = Assignment.objects.get(id=assignment.id)
    assert (done.status, response.json()["sla_met"]) == ("completed", done.sla_met)
    assert done.sla_met is True  # closed well before its 4-hour deadline
    again = client.post(f"/assignments/{assignment.id}/complete/", {})
    assert again.status_code == 409


def test_it_lets_a_manager_reassign_to_a_chosen_rep() -> None:
    assignment = AssignmentFactory(owner_id="old-owner")
    new_owner = make_rep()

    response = manager_client().post(f"/assignments/{assignment.id}/reassign/", {"to_user_id": new_owner.id})

    assert response.status_code == 200
    assert response.json()["owner_id"] == str(new_owner.id)
    assert Assignment.objects.get(id=assignment.id).status == "reassigned"
    assert Assignment.objects.get(lead=assignment.lead, status="active").owner_id == str(new_owner.id)


@pytest.mark.parametrize(
    ("body", "status"), [({"to_user_id": 999999}, 404), ({"to_user_id": "abc"}, 400), ({"to_user_id": 10**12}, 400)]
)
def test_it_refuses_a_reassignment_to_nobody_real(body: dict[str, object], status: int) -> None:
    assignment = AssignmentFactory()

    response = manager_client().post(f"/assignments/{assignment.id}/reassign/", body)

    assert response.status_code == status
    assert Assignment.objects.get(id=assignment.id).status == "active"


def test_it_refuses_a_reassignment_by_a_rep() -> None:
    assignment = AssignmentFactory()

    response = rep_client().post(f"/assignments/{assignment.id}/reassign/", {"to_user_id": make_rep().id})

    assert response.status_code == 403
    assert Assignment.objects.get(id=assignment.id).status == "active"


# --- Dashboard ------------------------------------------------------------------------------------------


def test_it_serves_the_dashboard_stats_to_staff_only() -> None:
    LeadFactory()

    response = manager_client().get("/dashboard/")

    assert response.status_code == 200
    assert response.json() == dashboard_stats()
    assert response.json()["total_leads"] == 1
    assert outsider_client().get("/dashboard/").status_code == 403
