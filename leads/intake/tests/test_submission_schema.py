"""The documented submission body (OpenAPI): a message of any length, patterns every client can compile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from patterns(item)


def text_rule(schema: dict[str, Any], name: str) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """The field, its text branch (the other is the empty string) and a validator for that branch."""
    field = schema["components"]["schemas"]["SubmissionInRequest"]["properties"][name]
    (branch,) = [branch for branch in field["anyOf"] if "pattern" in branch]
    return field, branch, jsonschema_rs.validator_for(branch)


def test_it_only_documents_patterns_schemathesis_can_compile(schema: dict[str, Any]) -> None:
    # jsonschema-rs (schemathesis' validator) refuses a bounded repetition past about 10,400.
    found = list(patterns(schema))
    assert found
    for pattern in found:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})


def test_it_documents_a_message_of_any_length_within_the_request_limit(schema: dict[str, Any]) -> None:
    field, branch, message = text_rule(schema, "message")

    assert "maxLength" not in branch and "maxLength" not in field
    assert field["description"].startswith("Any length that fits the request body limit (262144 bytes")
    assert message.is_valid("x" * 200_000)
    assert message.is_valid("  A tender text.\n\nSecond page.  ")
    assert not message.is_valid("nul\x00byte")


def test_it_keeps_the_bound_of_a_short_field_in_its_pattern(schema: dict[str, Any]) -> None:
    *_, company = text_rule(schema, "company")

    assert company.is_valid("  " + "C" * 255 + "  ")
    assert not company.is_valid("C" * 256)
