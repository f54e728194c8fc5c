"""The lead page's follow-ups, approvals and AI corrections."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import ApprovalFactory, FollowUpFactory
from assignments.tests.staff import make_manager, make_rep
from leads.console.tests.support import routed_lead
from leads.models import Lead

pytestmark = pytest.mark.django_db


def url(name: str, lead: Lead, **ids: object) -> str:
    return reverse(f"console:{name}", kwargs={"lead_id": lead.id, **ids})


def events(lead: Lead) -> int:
    return LeadActivity.objects.filter(lead=lead).count()


@pytest.fixture
def rep() -> object:
    return make_rep()


@pytest.fixture
def lead(rep: object) -> Lead:
    return routed_lead(rep, priority="low", intent="product_inquiry")


@pytest.fixture
def rep_client(client: Client, rep: object) -> Client:
    client.force_login(rep)
    return client


# --- Follow-ups -------------------------------------------------------------------------------


def test_scheduling_a_follow_up_in_the_business_time_zone(rep: object, rep_client: Client, lead: Lead) -> None:
    local = (
        (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo(settings.TIME_ZONE)).replace(second=0, microsecond=0)
    )
    response = rep_client.post(
        url("lead_follow_up", lead),
        {"action": "site_visit", "scheduled_for": local.strftime("%Y-%m-%dT%H:%M"), "reason": "Measure the hall"},
    )
    assert response.status_code == 302
    item = LeadActivity.objects.get(lead=lead, type="follow_up", actor_type="user")
    assert item.status == "pending" and item.actor_id == str(rep.id)
    assert item.metadata["action"] == "site_visit"
    assert timezone.datetime.fromisoformat(item.metadata["scheduled_for"]) == local
    assert "Measure the hall" in rep_client.get(url("lead", lead)).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "site_visit", "scheduled_for": "2020-01-01T10:00"},
        {"action": "site_visit", "scheduled_for": "tomorrow-ish"},
        {"action": "carrier_pigeon", "scheduled_for": "2099-01-01T10:00"},
        {"action": "call", "scheduled_for": ""},
    ],
)
def test_a_bad_follow_up_is_refused(rep_client: Client, lead: Lead, data: dict) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_follow_up", lead), data).status_code == 400
    assert events(lead) == before


def test_completing_and_cancelling_follow_ups(rep: object, rep_client: Client, lead: Lead) -> None:
    first, second = FollowUpFactory(lead=lead), FollowUpFactory(lead=lead)

    done = rep_client.post(url("lead_follow_up_complete", lead, item_id=first.id), {"outcome": "Booked"})
    dropped = rep_client.post(url("lead_follow_up_cancel", lead, item_id=second.id), {"outcome": ""})

    assert (done.status_code, dropped.status_code) == (302, 302)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.metadata["outcome"], first.metadata["decided_by"]) == (
        "completed",
        "Booked",
        str(rep.id),
    )
    assert second.status == "cancelled"
    html = rep_client.get(url("lead", lead)).content.decode()
    assert "No follow-ups pending." in html


def test_a_decided_follow_up_cannot_be_decided_again(rep_client: Client, lead: Lead) -> None:
    item = FollowUpFactory(lead=lead)
    rep_client.post(url("lead_follow_up_complete", lead, item_id=item.id), {})
    response = rep_client.post(url("lead_follow_up_cancel", lead, item_id=item.id), {})
    assert response.status_code == 409 and "already completed" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "completed"


def test_a_follow_up_of_another_lead_is_404(rep: object, rep_client: Client, lead: Lead) -> None:
    elsewhere = FollowUpFactory()
    assert rep_client.post(url("lead_follow_up_complete", lead, item_id=elsewhere.id), {}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "pending"


# --- Approvals ----------------------------------------------------------------------------------


def test_a_rep_requests_an_approval(rep: object, rep_client: Client, lead: Lead) -> None:
    response = rep_client.post(url("lead_approval_request", lead), {"approval_type": "discount", "reason": "8% off"})
    assert response.status_code == 302
    item = LeadActivity.objects.get(lead=lead, type="approval")
    assert (item.status, item.message, item.actor_id) == ("pending", "8% off", str(rep.id))
    assert item.metadata == {"approval_type": "discount", "requires_manager": True}
    html = rep_client.get(url("lead", lead)).content.decode()
    assert "Waiting for a manager." in html and 'value="approve"' not in html


@pytest.mark.parametrize(
    "data", [{"approval_type": "discount", "reason": ""}, {"approval_type": "free", "reason": "x"}]
)
def test_a_bad_approval_request_is_refused(rep_client: Client, lead: Lead, data: dict) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_approval_request", lead), data).status_code == 400
    assert events(lead) == before


def test_a_manager_approves_with_a_comment(client: Client, lead: Lead) -> None:
    item = ApprovalFactory(lead=lead)
    manager = make_manager(first_name="Meera", last_name="Nair")
    client.force_login(manager)
    assert 'value="approve"' in client.get(url("lead", lead)).content.decode()

    response = client.post(url("lead_approval_decide", lead, item_id=item.id), {"decision": "approve", "comment": "Go"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.metadata["comment"], item.metadata["decided_by"]) == ("approved", "Go", str(manager.id))
    assert "No approvals pending." in client.get(url("lead", lead)).content.decode()


def test_a_manager_rejects(client: Client, lead: Lead) -> None:
    item = ApprovalFactory(lead=lead)
    client.force_login(make_manager())
    client.post(url("lead_approval_decide", lead, item_id=item.id), {"decision": "reject", "comment": "Too low"})
    item.refresh_from_db()
    assert item.status == "rejected"


def test_a_rep_cannot_decide_and_a_comment_is_required(rep_client: Client, client: Client, lead: Lead) -> None:
    item = ApprovalFactory(lead=lead)
    decide = url("lead_approval_decide", lead, item_id=item.id)
    assert rep_client.post(decide, {"decision": "approve", "comment": "Sure"}).status_code == 403
    client.force_login(make_manager())
    assert client.post(decide, {"decision": "approve", "comment": " "}).status_code == 400
    assert client.post(decide, {"decision": "maybe", "comment": "hm"}).status_code == 400
    item.refresh_from_db()
    assert item.status == "pending" and "decided_by" not in item.metadata


# --- Correcting the AI ----------------------------------------------------------------------------


def test_correcting_the_ai_changes_what_the_page_and_queue_show(rep: object, rep_client: Client, lead: Lead) -> None:
    ai_result = LeadActivity.objects.get(lead=lead, type="ai_result")
    response = rep_client.post(url("lead_correct_ai", lead), {"intent": "quote_request", "priority": "high"})
    assert response.status_code == 302
    correction = LeadActivity.objects.get(lead=lead, type="ai_correction")
    assert correction.metadata["overrides"] == str(ai_result.id)
    assert (correction.metadata["previous_priority"], correction.metadata["priority"]) == ("low", "high")
    assert "High priority" in rep_client.get(url("lead", lead)).content.decode()
    assert "Quote request" in rep_client.get(reverse("console:queue")).content.decode()


@pytest.mark.parametrize("data", [{}, {"priority": "low"}, {"priority": "urgent"}])
def test_an_empty_unchanged_or_unknown_correction_is_refused(rep_client: Client, lead: Lead, data: dict) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_correct_ai", lead), data).status_code == 400
    assert events(lead) == before
