"""The contract: strict bodies on every endpoint, page URLs, Retry-After, and a schema that says all of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory, ApprovalFactory, FollowUpFactory
from assignments.tests.factories import AssignmentFactory
from leads.api.tests.support import API, manager_client
from leads.intake.tests.support import api_payload
from leads.models import Lead
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db

UNKNOWN = {"code": "unknown_field", "fields": {"metadata": ["Unknown field."]}}


def writes(ids: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation that takes a body, with a body it would accept."""
    return [
        ("patch", f"/leads/{ids['lead']}/", {"status": "contacted"}),
        ("post", f"/leads/{ids['lead']}/activities/", {"type": "note", "message": "x"}),
        ("post", "/follow-ups/", {"lead_id": str(ids["lead"]), "action": "call", "scheduled_for": "2030-01-01T10:00Z"}),
        ("post", f"/follow-ups/{ids['follow_up']}/complete/", {}),
        ("post", f"/follow-ups/{ids['follow_up']}/cancel/", {}),
        ("post", f"/approvals/{ids['approval']}/approve/", {"comment": "ok"}),
        ("post", f"/approvals/{ids['approval']}/reject/", {"comment": "no"}),
        ("post", f"/assignments/{ids['assignment']}/complete/", {}),
        ("post", f"/assignments/{ids['assignment']}/reassign/", {}),
    ]


def test_it_refuses_an_unknown_field_on_every_endpoint_and_writes_nothing() -> None:
    lead = LeadFactory(status="new")
    ids = {
        "lead": lead.id,
        "follow_up": FollowUpFactory(lead=lead).id,
        "approval": ApprovalFactory(lead=lead).id,
        "assignment": AssignmentFactory(lead=lead).id,
    }
    manager = manager_client()
    events = LeadActivity.objects.count()

    for method, path, body in writes(ids):
        response = getattr(manager, method)(path, {**body, "metadata": "not an object"})

        assert response.status_code == 400, path
        assert response.json()["error"] | UNKNOWN == response.json()["error"], path
        assert response.json()["error"]["message"]
    assert LeadActivity.objects.count() == events
    assert Lead.objects.get(id=lead.id).status == "new"
    # The same bodies without the unknown field are accepted: the refusal was the field's.
    assert manager.post(f"/leads/{lead.id}/activities/", {"type": "note", "message": "x"}).status_code == 201


def test_it_names_unknown_fields_inside_nested_objects_of_a_submission(client: Client) -> None:
    body = api_payload(
        consent={"privacy_accepted": True, "marketing": True},
        product_interests=[{"category": "Wall", "product": "P"}, {"category": "Wall", "product": "P", "qty": "2"}],
    )

    response = client.post(f"{API}/submissions/", {**body, "metadata": {}}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_field"
    assert response.json()["error"]["fields"] == {
        "product_interests": {"1": {"qty": ["Unknown field."]}},
        "consent": {"marketing": ["Unknown field."]},
        "metadata": ["Unknown field."],
    }
    assert not Lead.objects.exists()


def test_it_keeps_the_call_and_email_rules_of_an_activity() -> None:
    lead = LeadFactory()

    response = manager_client().post(
        f"/leads/{lead.id}/activities/", {"type": "email", "message": "x", "duration_seconds": 5}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"duration_seconds": ["Not accepted for a email."]}


def test_it_links_the_next_and_previous_pages() -> None:
    leads = [LeadFactory() for _ in range(5)]
    manager = manager_client()

    first = manager.get("/leads/", {"limit": 2, "status": "new"}).json()
    second = manager.client.get(first["next"], **manager.headers).json()
    third = manager.client.get(second["next"], **manager.headers).json()
    back = manager.client.get(third["previous"], **manager.headers).json()

    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/leads/?") and "status=new" in first["next"]
    assert [row["id"] for row in first["results"] + second["results"] + third["results"]] == [
        str(lead.id) for lead in reversed(leads)
    ]
    assert third["next"] is None and third["next_cursor"] is None
    assert back == second
    assert manager.client.get(second["previous"], **manager.headers).json() == first


def test_it_says_when_to_retry_after_the_rate_limit(client: Client, settings: Any) -> None:
    settings.INTAKE_RATE_LIMIT = 1
    settings.INTAKE_RATE_WINDOW_SECONDS = 600
    post = lambda: client.post(f"{API}/submissions/", api_payload(), content_type="application/json")  # noqa: E731

    post()
    refused = post()

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    return client.get(f"{API}/schema/", {"format": "json"}).json()


def test_it_declares_every_status_header_and_closed_body(schema: dict[str, Any]) -> None:
    submit = schema["paths"]["/api/v1/submissions/"]["post"]
    components = schema["components"]["schemas"]

    assert {"200", "201", "400", "401", "413", "415", "422", "429"} <= set(submit["responses"])
    assert [p["name"] for p in submit["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert submit["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    assert "Idempotent-Replayed" in submit["responses"]["201"]["headers"]
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (path, method)
            if "requestBody" in operation:
                assert "415" in operation["responses"] and "400" in operation["responses"], (path, method)
    requests = {name: body for name, body in components.items() if name.endswith("Request") and "oneOf" not in body}
    assert requests and all(body["additionalProperties"] is False for body in requests.values())
    assert components["PatchedLeadPatchInRequest"]["required"] == ["status"]
    assert set(components["LeadDocumentOut"]["required"]) == {
        "lead",
        "products",
        "current_assignment",
        "assignments",
        "ai_analysis",
        "activities",
        "pending_follow_ups",
        "pending_approvals",
    }
    assert len(components["DashboardOut"]["required"]) == 8  # the plan's seven figures and sla_breaches_30d
    assert components["SubmissionInRequest"]["properties"]["email"]["format"] == "email"
    assert "duration_seconds" not in components["EmailInRequest"]["properties"]


def test_it_types_every_key_of_the_lead_document_and_the_dashboard(schema: dict[str, Any]) -> None:
    lead = LeadFactory()
    LeadProductFactory(lead=lead)
    AIResultFactory(lead=lead)
    FollowUpFactory(lead=lead)
    AssignmentFactory(lead=lead)
    manager = manager_client()
    components = schema["components"]["schemas"]

    def keys(name: str) -> set[str]:
        return set(components[name]["properties"])

    document = manager.get(f"/leads/{lead.id}/").json()
    dashboard = manager.get("/dashboard/").json()

    assert set(document) == keys("LeadDocumentOut")
    assert set(document["lead"]) == keys("LeadRowOut")
    assert set(document["products"][0]) == keys("ProductRowOut")
    assert set(document["current_assignment"]) == set(document["assignments"][0]) == keys("AssignmentOut")
    assert set(document["activities"][0]) == set(document["pending_follow_ups"][0]) == keys("ActivityRowOut")
    assert set(document["ai_analysis"]) <= keys("AIAnalysisOut")
    assert set(dashboard) == keys("DashboardOut")
