"""The API reads JSON as typed: no coercion of numbers to strings, no form encodings, JSON 404s."""

from __future__ import annotations

import pytest

from activity.models import LeadActivity
from activity.tests.factories import ApprovalFactory
from leads.api.tests.support import API, error_code, manager_client, rep_client
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "note", "message": 0}, "message"),
        ({"type": "note", "message": True}, "message"),
        ({"type": "call", "message": "x", "duration_seconds": "60"}, "duration_seconds"),
        ({"type": "call", "message": "x", "duration_seconds": 60.5}, "duration_seconds"),
        ({"type": "call", "message": "x", "duration_seconds": True}, "duration_seconds"),
        ({"type": 1, "message": "x"}, "type"),
    ],
)
def test_it_refuses_a_value_of_the_wrong_json_type(body: dict[str, object], field: str) -> None:
    lead = LeadFactory()

    response = rep_client().post(f"/leads/{lead.id}/activities/", body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not LeadActivity.objects.filter(lead=lead).exists()


def test_it_refuses_a_number_where_a_comment_goes() -> None:
    approval = ApprovalFactory()

    response = manager_client().post(f"/approvals/{approval.id}/approve/", {"comment": 0})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["comment"] == ["Must be a string."]
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_it_refuses_a_uuid_given_as_a_number() -> None:
    response = rep_client().post(
        "/follow-ups/", {"lead_id": 5, "action": "call", "scheduled_for": "2030-01-31T10:00:00Z"}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["lead_id"]


def test_it_answers_415_for_a_form_encoded_body() -> None:
    lead = LeadFactory(status="new")
    rep = rep_client()

    response = rep.client.patch(
        f"{API}/leads/{lead.id}/", "status=contacted", content_type="application/x-www-form-urlencoded", **rep.headers
    )

    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"
    assert Lead.objects.get(id=lead.id).status == "new"


@pytest.mark.parametrize(
    "path", ["/approvals/null,null/approve/", "/no-such-thing/", "/leads/12/activities/", "/leads/a%0Ab/"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_a_json_404_for_any_other_address(path: str, method: str) -> None:
    client = manager_client()

    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error_code(response) == "not_found"


@pytest.mark.parametrize("when", ["2024-01-01T12:99:00Z", "2024-02-30T10:00:00Z", "2024-13-01T10:00:00+05:30"])
def test_it_answers_400_for_a_time_that_cannot_exist(when: str) -> None:
    lead = LeadFactory()

    response = rep_client().post("/follow-ups/", {"lead_id": str(lead.id), "action": "call", "scheduled_for": when})
    listed = rep_client().get("/leads/", {"created_after": when})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["scheduled_for"] == ["Not a real date and time."]
    assert listed.status_code == 400
    assert not LeadActivity.objects.filter(lead=lead).exists()
