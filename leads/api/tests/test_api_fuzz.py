"""Schemathesis against the live schema, with all its checks: the schema is the contract.

It builds the schema /api/v1/schema/ serves (the test checks the live server
serves exactly that document), generates requests for every operation (valid
and invalid ones), sends them over HTTP with a manager's token and runs every
check schemathesis has: no server error, a documented status code, content
type and headers, a body that matches the declared schema, every
schema-invalid request refused and every schema-valid one accepted (so a
request schema cannot be looser than the server), methods and auth as
declared. Path ids that look like UUIDs are swapped for real rows, so the
operations reach their real code paths and not only the 404; in valid
requests a cursor is one the API gave out and an Idempotency-Key is fresh,
because that is what those values mean. The formats of our own are `phone`,
generated from libphonenumber's example numbers, and `person-name`, letters of any script. SCHEMATHESIS_MAX_EXAMPLES
bounds the examples per operation (a longer run is the same test with a
larger number).
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from typing import Any

import phonenumbers
import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from activity.tests.factories import AIResultFactory, ApprovalFactory, FollowUpFactory
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_manager, make_rep
from leads.tests.factories import LeadFactory
from leadsys.keyset import encode_cursor

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
# Valid numbers for every region libphonenumber knows, written as a person would (international format).
PHONES = sorted(
    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    for region in phonenumbers.SUPPORTED_REGIONS
    if (number := phonenumbers.example_number(region)) is not None
)
schemathesis.openapi.format("phone", st.sampled_from([phone for phone in PHONES if len(phone) <= 32]))
# A person's name: letters of any script, two at least (leads.validation.check_name).
schemathesis.openapi.format("person-name", st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=60))


@pytest.fixture
def real_ids(settings: Any) -> dict[str, str]:
    """A lead with every kind of row an operation can act on, and a second rep to reassign to."""
    settings.INTAKE_RATE_LIMIT = 1_000_000  # the fuzzer posts far more than a visitor may
    rep = make_rep()
    make_rep()
    lead = LeadFactory()
    AIResultFactory(lead=lead)
    follow_up = FollowUpFactory(lead=lead)
    approval = ApprovalFactory(lead=lead)
    assignment = AssignmentFactory(lead=lead, owner_id=str(rep.id))
    return {
        "cursor": encode_cursor(lead.created_at, lead.id),
        "lead_id": str(lead.id),
        "activity_id": str(follow_up.id),
        "approval_id": str(approval.id),
        "assignment_id": str(assignment.id),
    }


@pytest.fixture
def token() -> str:
    return Token.objects.create(user=make_manager()).key


def build_schema() -> dict[str, Any]:
    # The same generator the schema view uses. Schemathesis' lazy fixture
    # loader does not run under pytest 9, so the document is built at import.
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=DjangoJSONEncoder))


API_SCHEMA = build_schema()
schema = schemathesis.openapi.from_dict(API_SCHEMA)


@pytest.fixture(scope="module")
def served_schema_checked(live_server: Any) -> None:
    with urllib.request.urlopen(f"{live_server.url}/api/v1/schema/?format=json", timeout=30) as response:
        assert json.loads(response.read()) == API_SCHEMA


def with_real_ids(case: Any, ids: dict[str, str]) -> None:
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        if case.query and "cursor" in case.query:
            case.query["cursor"] = ids["cursor"]
        if case.headers and "Idempotency-Key" in case.headers:
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
    for name, value in (case.path_parameters or {}).items():
        if not _is_uuid(value):
            continue  # a malformed id stays: it must be a clean 404
        if name == "activity_id" and "/approvals/" in case.path:
            case.path_parameters[name] = ids["approval_id"]
        elif name in ids:
            case.path_parameters[name] = ids[name]


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: Any, live_server: Any, served_schema_checked: None, token: str, real_ids: dict[str, str]
) -> None:
    with_real_ids(case, real_ids)
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token}"}, timeout=30)
