"""Approvals: managers only; approve or reject with a comment; refusals leave the approval pending."""

from __future__ import annotations

import pytest

from activity.models import ActivityStatus
from activity.tests.factories import ApprovalFactory
from leads.console.tests.overview_support import client_for, manager_client, outsider_client, rep_client
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/console/approvals/"


def test_it_sends_anonymous_users_to_the_login_page() -> None:
    assert client_for(None).get(URL).status_code == 302


def test_it_refuses_reps_and_outsiders_to_see_or_decide() -> None:
    item = ApprovalFactory()
    _, rep = rep_client()
    assert rep.get(URL).status_code == 403
    assert outsider_client().get(URL).status_code == 403
    assert rep.post(f"{URL}{item.id}/decide/", {"decision": "approve", "comment": "ok"}).status_code == 403
    item.refresh_from_db()
    assert item.status == ActivityStatus.PENDING


def test_it_lists_pending_approvals_with_the_ai_recommendation_escaped() -> None:
    lead = LeadFactory(name="<img src=x onerror=alert(1)>")
    item = ApprovalFactory(
        lead=lead, metadata={"approval_type": "high_value_lead", "ai_recommendation": "call_today: <b>big</b>"}
    )
    decided = ApprovalFactory(status=ActivityStatus.APPROVED)
    _, client = manager_client()
    html = client.get(URL).content.decode()
    assert f'data-approval="{item.id}"' in html and f'data-approval="{decided.id}"' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "call_today: &lt;b&gt;big&lt;/b&gt;" in html


def test_it_says_when_nothing_waits() -> None:
    _, client = manager_client()
    assert "No approvals waiting." in client.get(URL).content.decode()


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_it_records_the_managers_decision_and_comment(decision: str, status: str) -> None:
    item = ApprovalFactory()
    manager, client = manager_client()
    response = client.post(f"{URL}{item.id}/decide/", {"decision": decision, "comment": "  Worth it  "})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == status
    assert item.metadata["comment"] == "Worth it" and item.metadata["decided_by"] == str(manager.id)
    html = client.get(URL).content.decode()
    assert f'data-approval="{item.id}"' not in html and f'data-decided="{item.id}"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve", "comment": "   "}, "A decision needs a comment."),
        ({"decision": "maybe", "comment": "hm"}, "Choose approve or reject."),
        ({"decision": "approve", "comment": "x" * 2001}, "Comment is too long"),
        ({"decision": "approve", "comment": "nul\x00"}, "cannot be stored"),
    ],
)
def test_it_refuses_bad_input_and_leaves_it_pending(data: dict, message: str) -> None:
    item = ApprovalFactory()
    _, client = manager_client()
    response = client.post(f"{URL}{item.id}/decide/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActivityStatus.PENDING and "comment" not in item.metadata


def test_it_refuses_deciding_twice_and_unknown_ids() -> None:
    item = ApprovalFactory(status=ActivityStatus.REJECTED)
    _, client = manager_client()
    again = client.post(f"{URL}{item.id}/decide/", {"decision": "approve", "comment": "changed my mind"})
    assert again.status_code == 409 and "already rejected" in again.content.decode()
    unknown = client.post(f"{URL}00000000-0000-0000-0000-000000000001/decide/", {"decision": "approve", "comment": "x"})
    assert unknown.status_code == 404
    assert client.get(URL, {"after": "not-a-cursor"}).status_code == 400
