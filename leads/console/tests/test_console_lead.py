"""The lead page: what it shows, who may see it, and the contact, note, status and ownership actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from activity.models import LeadActivity
from assignments.models import Assignment
from assignments.tests.staff import UserFactory, make_manager, make_rep
from leads.console.tests.support import active_assignment, routed_lead
from leads.models import Lead

pytestmark = pytest.mark.django_db


def url(name: str, lead: Lead) -> str:
    return reverse(f"console:{name}", kwargs={"lead_id": lead.id})


def events(lead: Lead) -> int:
    return LeadActivity.objects.filter(lead=lead).count()


@pytest.fixture
def rep() -> object:
    return make_rep(first_name="Asha", last_name="Rao")


@pytest.fixture
def lead(rep: object) -> Lead:
    return routed_lead(rep, name="Priya Sharma", company="Sharma Interiors")


@pytest.fixture
def rep_client(client: Client, rep: object) -> Client:
    client.force_login(rep)
    return client


# --- Viewing -----------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client: Client, lead: Lead) -> None:
    response = client.get(url("lead", lead))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_refuses_users_who_are_not_sales_staff(client: Client, lead: Lead) -> None:
    client.force_login(UserFactory())
    assert client.get(url("lead", lead)).status_code == 403
    assert client.post(url("lead_note", lead), {"text": "hello"}).status_code == 403
    assert LeadActivity.objects.filter(lead=lead, type="note").count() == 0


def test_an_unknown_or_malformed_id_is_404(rep_client: Client) -> None:
    assert rep_client.get("/console/leads/not-a-uuid/").status_code == 404
    assert rep_client.get("/console/leads/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert (
        rep_client.post("/console/leads/00000000-0000-0000-0000-000000000000/note/", {"text": "x"}).status_code == 404
    )


def test_it_shows_the_submission_the_ai_analysis_the_owner_and_the_timeline(rep_client: Client, lead: Lead) -> None:
    html = rep_client.get(url("lead", lead)).content.decode()
    ai = LeadActivity.objects.get(lead=lead, type="ai_result").metadata
    product = lead.products.get()

    for text in (lead.name, lead.email, lead.company, product.product, ai["reasoning"], ai["model"]):
        assert text in html
    assert f"prompt {ai['prompt_version']}" in html
    assert "Asha Rao" in html  # owner
    timeline = html[html.index('class="timeline"') :]
    # Newest first: the assignment event was appended after the ai_result.
    assert timeline.index("Assignment") < timeline.index("AI analysis")


def test_it_renders_script_and_img_payloads_as_text(rep: object, rep_client: Client) -> None:
    payload_name = "<script>alert('n')</script>"
    payload_message = '<img src=x onerror="alert(1)">'
    lead = routed_lead(rep, name=payload_name, message=payload_message, company="<b>Co</b>")
    rep_client.post(url("lead_note", lead), {"text": "<script>alert('note')</script>"})

    html = rep_client.get(url("lead", lead)).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<b>Co</b>" not in html
    assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;alert(&#x27;note&#x27;)&lt;/script&gt;" in html


def test_actions_need_post_and_a_csrf_token(rep: object, lead: Lead) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(rep)
    assert strict.get(url("lead_note", lead)).status_code == 405
    assert strict.post(url("lead_note", lead), {"text": "no token"}).status_code == 403
    assert LeadActivity.objects.filter(lead=lead, type="note").count() == 0


# --- Calls, emails, notes ---------------------------------------------------------------------


def test_logging_a_call_records_it_and_completes_the_assignment(rep: object, rep_client: Client, lead: Lead) -> None:
    response = rep_client.post(
        url("lead_call", lead), {"outcome": "connected", "duration_minutes": "4", "summary": "Discussed oak"}
    )

    assert response.status_code == 302 and response["Location"] == url("lead", lead)
    call = LeadActivity.objects.get(lead=lead, type="call")
    assert (call.message, call.actor_id, call.metadata["duration_seconds"]) == ("Discussed oak", str(rep.id), 240)
    assignment = Assignment.objects.get(lead=lead)
    assert assignment.status == "completed" and assignment.completed_at == call.created_at
    assert assignment.sla_met is True
    html = rep_client.get(url("lead", lead)).content.decode()
    assert "Call logged." in html and "SLA met" in html


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "connected", "summary": ""},
        {"outcome": "teleported", "summary": "hi"},
        {"outcome": "connected", "summary": "hi", "duration_minutes": "-3"},
        {"outcome": "connected", "summary": "hi", "duration_minutes": "lots"},
    ],
)
def test_a_bad_call_is_refused_and_nothing_is_written(rep_client: Client, lead: Lead, data: dict) -> None:
    before = events(lead)
    response = rep_client.post(url("lead_call", lead), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert events(lead) == before
    assert active_assignment(lead) is not None


def test_logging_an_email_records_subject_and_summary(rep_client: Client, lead: Lead) -> None:
    response = rep_client.post(url("lead_email", lead), {"subject": "Your quote", "summary": "Sent prices"})
    assert response.status_code == 302
    email = LeadActivity.objects.get(lead=lead, type="email", actor_type="user")
    assert email.metadata["subject"] == "Your quote" and email.metadata["to"] == lead.email
    assert active_assignment(lead) is None


def test_an_email_without_subject_is_refused(rep_client: Client, lead: Lead) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_email", lead), {"subject": "", "summary": "x"}).status_code == 400
    assert events(lead) == before


def test_adding_a_note(rep: object, rep_client: Client, lead: Lead) -> None:
    assert rep_client.post(url("lead_note", lead), {"text": "Prefers WhatsApp"}).status_code == 302
    note = LeadActivity.objects.get(lead=lead, type="note", actor_type="user")
    assert (note.message, note.actor_id) == ("Prefers WhatsApp", str(rep.id))
    assert "Asha Rao" in rep_client.get(url("lead", lead)).content.decode()


def test_a_blank_note_is_refused(rep_client: Client, lead: Lead) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_note", lead), {"text": "   "}).status_code == 400
    assert events(lead) == before


# --- Status ---------------------------------------------------------------------------------------


def test_changing_the_status_records_from_and_to(rep_client: Client, lead: Lead) -> None:
    response = rep_client.post(url("lead_status", lead), {"status": "qualified", "reason": "Budget confirmed"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "qualified"
    change = LeadActivity.objects.get(lead=lead, type="status_change")
    assert change.metadata == {"from_status": "new", "to_status": "qualified", "reason": "Budget confirmed"}
    html = rep_client.get(url("lead", lead)).content.decode()
    assert "From <strong>New</strong> to <strong>Qualified</strong>" in html


def test_an_unknown_or_unchanged_status_is_refused(rep_client: Client, lead: Lead) -> None:
    before = events(lead)
    assert rep_client.post(url("lead_status", lead), {"status": "won"}).status_code == 400
    response = rep_client.post(url("lead_status", lead), {"status": "new"})
    assert response.status_code == 409 and "already new" in response.content.decode()
    assert events(lead) == before


# --- Completing and reassigning ----------------------------------------------------------------------


def test_the_owner_completes_the_assignment(rep_client: Client, lead: Lead) -> None:
    assert rep_client.post(url("lead_complete", lead), {"note": ""}).status_code == 302
    assignment = Assignment.objects.get(lead=lead)
    assert assignment.status == "completed" and assignment.sla_met is True
    note = LeadActivity.objects.get(lead=lead, type="note", metadata__kind="assignment_completed")
    assert note.metadata["assignment_id"] == str(assignment.id)


def test_another_rep_cannot_complete_it_and_nothing_is_left_to_complete_after(client: Client, lead: Lead) -> None:
    client.force_login(make_rep())
    before = events(lead)
    assert client.post(url("lead_complete", lead), {}).status_code == 403
    assert active_assignment(lead) is not None and events(lead) == before
    client.force_login(make_manager())
    assert client.post(url("lead_complete", lead), {}).status_code == 302
    assert client.post(url("lead_complete", lead), {}).status_code == 409


def test_a_manager_reassigns_to_a_chosen_rep(client: Client, rep: object, lead: Lead) -> None:
    other = make_rep(first_name="Vikram", last_name="Iyer")
    client.force_login(make_manager())
    response = client.post(url("lead_reassign", lead), {"to_user": other.id, "reason": "Speaks Tamil"})
    assert response.status_code == 302
    assert active_assignment(lead).owner_id == str(other.id)
    assert Assignment.objects.get(lead=lead, owner_id=str(rep.id)).status == "reassigned"
    assert "Vikram Iyer" in client.get(url("lead", lead)).content.decode()


def test_a_rep_cannot_reassign(rep_client: Client, rep: object, lead: Lead) -> None:
    other = make_rep()
    before = events(lead)
    assert "Reassign" not in rep_client.get(url("lead", lead)).content.decode()
    assert rep_client.post(url("lead_reassign", lead), {"to_user": other.id}).status_code == 403
    assert active_assignment(lead).owner_id == str(rep.id) and events(lead) == before


def test_reassigning_to_a_non_rep_or_the_same_owner_is_refused(client: Client, rep: object, lead: Lead) -> None:
    client.force_login(make_manager())
    before = events(lead)
    assert client.post(url("lead_reassign", lead), {"to_user": UserFactory().id}).status_code == 400
    assert client.post(url("lead_reassign", lead), {"to_user": rep.id}).status_code == 409
    assert active_assignment(lead).owner_id == str(rep.id) and events(lead) == before
