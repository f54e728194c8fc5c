"""GET/PATCH /api/v1/leads/: tokens, group permissions, filters, keyset pages, the full document."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments.tests.factories import AssignmentFactory
from leads.api.leads import lead_cursor, leads_filtered
from leads.api.tests.support import API, error_code, manager_client, outsider_client, rep_client
from leads.models import Lead
from leads.selectors import lead_full
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db


def ids(response: object) -> list[str]:
    return [row["id"] for row in response.json()["results"]]  # type: ignore[attr-defined]


def test_it_refuses_a_request_without_a_token(client: Client) -> None:
    response = client.get(f"{API}/leads/")

    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_it_refuses_a_wrong_token(client: Client) -> None:
    response = client.get(f"{API}/leads/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response.json()["error"]["message"]


def test_it_refuses_a_token_of_a_user_outside_the_sales_groups() -> None:
    response = outsider_client().get("/leads/")

    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


def test_it_lists_leads_newest_first_with_priority_intent_and_owner() -> None:
    older = LeadFactory(created_at=timezone.now() - timedelta(hours=2))
    newer = LeadFactory()
    AIResultFactory(lead=newer, metadata__priority="low", created_at=timezone.now() - timedelta(minutes=5))
    AIResultFactory(lead=newer, metadata__priority="high", metadata__intent="sample_request")
    AssignmentFactory(lead=newer, owner_id="42")

    response = rep_client().get("/leads/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [str(newer.id), str(older.id)]
    assert (rows[0]["priority"], rows[0]["intent"], rows[0]["owner_id"]) == ("high", "sample_request", "42")
    assert (rows[1]["priority"], rows[1]["intent"], rows[1]["owner_id"]) == (None, None, None)
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "qualified"), ("source", "partner"), ("priority", "high"), ("intent", "quote_request")],
)
def test_it_filters_by_a_field_or_the_latest_ai_result(param: str, value: str) -> None:
    wanted = LeadFactory(status="qualified", source="partner")
    AIResultFactory(lead=wanted, metadata__priority="high", metadata__intent="quote_request")
    other = LeadFactory(status="new", source="referral")
    # An older high/quote result that a newer one replaced must not count.
    AIResultFactory(
        lead=other,
        metadata__priority="high",
        metadata__intent="quote_request",
        created_at=timezone.now() - timedelta(1),
    )
    AIResultFactory(lead=other, metadata__priority="low", metadata__intent="product_inquiry")

    response = rep_client().get("/leads/", {param: value})

    assert response.status_code == 200
    assert ids(response) == [str(wanted.id)]


def test_it_filters_by_owner_me_category_created_range_and_updated_since() -> None:
    client = rep_client()
    mine = LeadFactory(created_at=timezone.now() - timedelta(days=3))
    AssignmentFactory(lead=mine, owner_id=str(client.user.id))
    LeadProductFactory(lead=mine, category="Lighting")
    AssignmentFactory(lead=LeadFactory(), owner_id="someone-else")
    LeadProductFactory(lead=LeadFactory(), category="Flooring")

    assert ids(client.get("/leads/", {"owner": "me"})) == [str(mine.id)]
    assert ids(client.get("/leads/", {"category": "Lighting"})) == [str(mine.id)]
    since = (timezone.now() - timedelta(days=4)).isoformat()
    until = (timezone.now() - timedelta(days=2)).isoformat()
    assert ids(client.get("/leads/", {"created_after": since, "created_before": until})) == [str(mine.id)]
    recent = (timezone.now() - timedelta(days=1)).isoformat()
    updated = ids(client.get("/leads/", {"updated_since": recent}))
    assert str(mine.id) not in updated
    assert len(updated) == Lead.objects.filter(updated_at__gte=timezone.now() - timedelta(days=1)).count() == 2


def test_it_walks_every_lead_once_through_the_cursor_even_with_equal_times() -> None:
    same_time = timezone.now() - timedelta(hours=1)
    leads = [LeadFactory(created_at=same_time) for _ in range(5)] + [LeadFactory() for _ in range(4)]
    expected = [str(lead.id) for lead in sorted(leads, key=lambda lead: (lead.created_at, str(lead.id)), reverse=True)]
    client = rep_client()

    seen: list[str] = []
    params: dict[str, object] = {"limit": 2}
    for _ in range(10):
        body = client.get("/leads/", params).json()
        seen += [row["id"] for row in body["results"]]
        if body["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": body["next_cursor"]}

    assert seen == expected


@pytest.mark.parametrize(
    "params",
    [
        {"status": "won"},
        {"priority": "urgent"},
        {"limit": "0"},
        {"limit": "500"},
        {"created_after": "yesterday"},
        {"status": ""},
        {"owner": ""},
    ],
)
def test_it_answers_400_for_a_bad_filter(params: dict[str, str]) -> None:
    response = rep_client().get("/leads/", params)

    assert response.status_code == 400
    assert error_code(response) == "invalid"
    assert set(response.json()["error"]["fields"]) == set(params)


@pytest.mark.parametrize("cursor", ["garbage", "W10=", "WyJ4IiwieSJd"])
def test_it_answers_400_for_a_cursor_it_did_not_give(cursor: str) -> None:
    LeadFactory()

    response = rep_client().get("/leads/", {"cursor": cursor})

    assert response.status_code == 400
    assert error_code(response) == "invalid_cursor"


def test_it_returns_the_lead_full_document() -> None:
    lead = LeadFactory()
    LeadProductFactory(lead=lead)

    response = rep_client().get(f"/leads/{lead.id}/")

    assert response.status_code == 200
    assert response.json() == lead_full(lead_id=lead.id)
    assert response.json()["lead"]["id"] == str(lead.id)


@pytest.mark.parametrize("path", ["/leads/00000000-0000-0000-0000-000000000000/", "/leads/not-a-uuid/"])
def test_it_answers_404_for_an_unknown_or_malformed_id(path: str) -> None:
    response = rep_client().get(path)

    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_it_changes_the_status_and_records_the_event() -> None:
    lead = LeadFactory(status="new")
    client = manager_client()

    response = client.patch(f"/leads/{lead.id}/", {"status": "qualified", "reason": "Budget confirmed"})

    assert response.status_code == 200
    assert response.json()["lead"]["status"] == "qualified"
    assert Lead.objects.get(id=lead.id).status == "qualified"
    event = LeadActivity.objects.get(lead=lead, type="status_change")
    assert (event.actor_id, event.metadata["from_status"], event.metadata["to_status"]) == (
        str(client.user.id),
        "new",
        "qualified",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"status": "won"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"status": "new"}, 409, "unchanged"),
        ("[", 400, "parse_error"),
    ],
)
def test_it_refuses_a_bad_status_change_and_writes_nothing(body: object, status: int, code: str) -> None:
    lead = LeadFactory(status="new")

    response = rep_client().patch(f"/leads/{lead.id}/", body)

    assert response.status_code == status
    assert error_code(response) == code
    assert Lead.objects.get(id=lead.id).status == "new"
    assert not LeadActivity.objects.filter(lead=lead, type="status_change").exists()


def test_it_refuses_a_status_change_from_an_outsider() -> None:
    lead = LeadFactory(status="new")

    response = outsider_client().patch(f"/leads/{lead.id}/", {"status": "lost"})

    assert response.status_code == 403
    assert Lead.objects.get(id=lead.id).status == "new"


def test_it_refuses_a_token_once_it_is_deleted_in_the_admin() -> None:
    client = rep_client()
    assert client.get("/leads/").status_code == 200

    Token.objects.filter(user=client.user).delete()

    assert client.get("/leads/").status_code == 401


def test_it_pages_through_the_created_at_index_not_a_sort_of_every_lead() -> None:
    lead = LeadFactory()
    rep = rep_client()
    query = {"limit": 50, "cursor": lead_cursor(lead)}
    with connection.cursor() as cursor:
        # On a tiny test table a scan and a sort are cheapest; forbid both to see whether the index can serve.
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off"
        )
        plan = leads_filtered(query, SimpleNamespace(user=rep.user))[:51].explain()  # type: ignore[arg-type]

    assert "idx_leads_created_at_id" in plan, plan
    assert "Sort" not in plan.split("SubPlan")[0]
