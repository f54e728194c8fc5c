"""The OpenAPI document: served, complete, with docs assets from us, and true to real responses."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from django.test import Client

from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.tests.factories import AssignmentFactory
from leads.api.tests.support import API, manager_client, rep_client
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/v1/submissions/": {"post"},
    "/api/v1/leads/": {"get"},
    "/api/v1/leads/{lead_id}/": {"get", "patch"},
    "/api/v1/leads/{lead_id}/activities/": {"get", "post"},
    "/api/v1/follow-ups/": {"get", "post"},
    "/api/v1/follow-ups/{activity_id}/complete/": {"post"},
    "/api/v1/follow-ups/{activity_id}/cancel/": {"post"},
    "/api/v1/approvals/": {"get"},
    "/api/v1/approvals/{activity_id}/approve/": {"post"},
    "/api/v1/approvals/{activity_id}/reject/": {"post"},
    "/api/v1/assignments/": {"get"},
    "/api/v1/assignments/{assignment_id}/complete/": {"post"},
    "/api/v1/assignments/{assignment_id}/reassign/": {"post"},
    "/api/v1/dashboard/": {"get"},
}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` becomes JSON Schema's null type, so jsonschema can check it."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def validator_for(schema: dict[str, Any], path: str, method: str, status: int) -> jsonschema.Validator:
    declared = schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    # The $refs point at #/components/...: give the validator a root that holds them.
    return jsonschema.Draft202012Validator(
        {**as_json_schema(declared), "components": as_json_schema(schema["components"])}
    )


def check(schema: dict[str, Any], path: str, method: str, response: Any) -> None:
    validator_for(schema, path, method, response.status_code).validate(response.json())


def test_it_serves_every_operation_with_a_unique_id(schema: dict[str, Any]) -> None:
    served = {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()}
    assert served == OPERATIONS
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "apiKey"


def test_it_renders_the_docs_page_from_our_own_static_files(client: Client) -> None:
    response = client.get(f"{API}/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html
    assert f"{API}/schema/" in html


def test_it_describes_what_the_endpoints_really_return(schema: dict[str, Any]) -> None:
    lead = LeadFactory()
    rep, manager = rep_client(), manager_client()
    mine = AssignmentFactory(lead=lead, owner_id=str(rep.user.id))
    follow_up = FollowUpFactory(lead=lead)
    approval = ApprovalFactory(lead=lead)
    lead_path = f"/leads/{lead.id}/"

    calls = [
        ("/api/v1/leads/", "get", rep.get("/leads/")),
        ("/api/v1/leads/", "get", rep.get("/leads/", {"status": "won"})),
        ("/api/v1/leads/{lead_id}/", "get", rep.get(lead_path)),
        ("/api/v1/leads/{lead_id}/", "get", rep.get("/leads/00000000-0000-0000-0000-000000000000/")),
        (
            "/api/v1/leads/{lead_id}/activities/",
            "post",
            rep.post(f"{lead_path}activities/", {"type": "note", "message": "x"}),
        ),
        ("/api/v1/leads/{lead_id}/activities/", "get", rep.get(f"{lead_path}activities/")),
        ("/api/v1/follow-ups/", "get", rep.get("/follow-ups/")),
        ("/api/v1/follow-ups/{activity_id}/complete/", "post", rep.post(f"/follow-ups/{follow_up.id}/complete/")),
        ("/api/v1/follow-ups/{activity_id}/complete/", "post", rep.post(f"/follow-ups/{follow_up.id}/complete/")),
        ("/api/v1/approvals/", "get", rep.get("/approvals/")),
        (
            "/api/v1/approvals/{activity_id}/approve/",
            "post",
            rep.post(f"/approvals/{approval.id}/approve/", {"comment": "x"}),
        ),
        (
            "/api/v1/approvals/{activity_id}/approve/",
            "post",
            manager.post(f"/approvals/{approval.id}/approve/", {"comment": "ok"}),
        ),
        ("/api/v1/assignments/", "get", rep.get("/assignments/")),
        ("/api/v1/assignments/{assignment_id}/complete/", "post", rep.post(f"/assignments/{mine.id}/complete/")),
        ("/api/v1/leads/{lead_id}/", "patch", rep.patch(lead_path, {"status": "contacted"})),
        ("/api/v1/dashboard/", "get", manager.get("/dashboard/")),
    ]

    statuses = [response.status_code for *_, response in calls]
    assert statuses == [200, 400, 200, 404, 201, 200, 200, 200, 409, 200, 403, 200, 200, 200, 200, 200]
    for path, method, response in calls:
        check(schema, path, method, response)
    # The check itself can fail: a body of the wrong shape is refused.
    with pytest.raises(jsonschema.ValidationError):
        validator_for(schema, "/api/v1/leads/", "get", 200).validate({"results": [{"id": 1}], "next_cursor": None})
