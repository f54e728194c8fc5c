"""The endpoint's body check (intake_input) and the documented SubmissionIn accept and refuse the same bodies.

SubmissionIn is what the OpenAPI schema shows; intake_input is what runs. For
any body, both must give the same validated data, or the same error detail
(same fields in the same order, same messages).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from leads.intake.body import submission_data
from leads.intake.serializers import SubmissionIn
from leads.intake.tests.support import api_payload
from leads.models import MESSAGE_MAX_LENGTH, LeadRole, LeadSource


def documented(body: Any) -> tuple[str, str]:
    serializer = SubmissionIn(data=body)
    if serializer.is_valid():
        return "valid", _plain(serializer.validated_data)
    return "invalid", _plain(serializer.errors)


def running(body: Any) -> tuple[str, str]:
    try:
        return "valid", _plain(submission_data(body))
    except ValidationError as exc:
        return "invalid", _plain(exc.detail)


def _plain(value: Any) -> str:
    # Ordered JSON: the error fields must come in the same order too.
    return json.dumps(value, ensure_ascii=True)


ODD_TEXT = [
    "",
    "   ",
    "\t\n",
    "R",
    "Rohan",
    "\u200b\u200b\u200b",
    "R\u200b.",
    "李明",
    " Rohan Mehta ",
    "nul\x00byte",
    "\ud800 lone",
    "x" * 256,
    "é" * 101,
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=12),
)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)

emails = st.one_of(
    st.sampled_from(
        [
            "rohan@example.com",
            " ROHAN@Example.COM ",
            "rohan@",
            "a" * 250 + "@example.com",
            "r@exämple.com",
            "a" * 65 + "@example.com",
        ]
    ),
    any_json,
)
phones = st.one_of(st.sampled_from(["+91 98200 12345", "098765 43210", "not a phone", "+1 555 0100", ""]), any_json)
roles = st.one_of(st.sampled_from([*LeadRole.values, "builder", " ARCHITECT ", "Astronaut"]), any_json)
sources = st.one_of(st.sampled_from([*LeadSource.values, "carrier_pigeon", ""]), any_json)
interest = st.one_of(
    st.fixed_dictionaries(
        {"category": st.sampled_from(["Wall", "", "W" * 101]), "product": st.sampled_from(["Panels", None])},
        optional={"quantity": st.one_of(st.sampled_from(["12 sq ft", ""]), any_json), "notes": any_json},
    ),
    any_json,
)
interests = st.one_of(st.lists(interest, max_size=3), st.just([{"category": "Wall", "product": "P"}] * 21), any_json)
consent = st.one_of(
    st.fixed_dictionaries({}, optional={"privacy_accepted": any_json, "marketing_opt_in": any_json}),
    st.just({"privacy_accepted": True}),
    any_json,
)
fields = {
    "name": st.one_of(st.sampled_from(ODD_TEXT), any_json),
    "email": emails,
    "phone": phones,
    "company": any_json,
    "role": roles,
    "location": any_json,
    "message": any_json,
    "source": sources,
    "product_interests": interests,
    "consent": consent,
    "unknown": any_json,
}
bodies = st.one_of(st.fixed_dictionaries({}, optional=fields), any_json)


@given(body=bodies)
@example(body=api_payload())
@example(body=None)
@example(body=[])
@example(body={})
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_agrees_with_the_documented_serializer_on_any_body(body: Any) -> None:
    assert running(body) == documented(body)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"role": "interior designer", "source": "campaign", "phone": "", "company": "  "},
        {"consent": {"privacy_accepted": True, "marketing_opt_in": True}},
        {"consent": {"privacy_accepted": False, "marketing_opt_in": None}},
        {"product_interests": [None, [], "x", {"category": "Wall"}, {"category": "Wall", "product": "P"}]},
        {"name": "\x00", "email": "\x00@example.com", "message": "m" * (MESSAGE_MAX_LENGTH + 1)},
    ],
)
def test_it_agrees_on_the_cases_the_api_tests_name(changes: dict[str, Any]) -> None:
    body = api_payload(**changes)

    assert running(body) == documented(body)


def test_it_refuses_what_the_serializer_refuses_with_the_same_messages() -> None:
    body = api_payload(name="R", email="rohan@", role="Astronaut", consent={"privacy_accepted": False})

    status, detail = running(body)

    assert status == "invalid"
    assert json.loads(detail) == {
        "name": ["Ensure this field has at least 2 characters."],
        "email": [json.loads(documented(body)[1])["email"][0]],
        "role": [f"Unknown role. Use one of: {', '.join(LeadRole.values)}."],
        "consent": {"privacy_accepted": ["The privacy notice must be accepted to record consent."]},
    }
