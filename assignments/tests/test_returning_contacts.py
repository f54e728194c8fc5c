"""Returning contacts: the same email or E.164 phone is the same person; routed to who handled them last."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments import services
from assignments.models import RepProfile
from assignments.tests.staff import make_rep
from leads.models import Lead
from leads.selectors import earlier_enquiries
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db


def route(lead: Lead) -> Any:
    return services.lead_route(lead_id=lead.id, ai_result=AIResultFactory(lead=lead)).assignment


def earlier_lead(**fields: Any) -> Lead:
    return LeadFactory(created_at=timezone.now() - timedelta(days=40), **fields)


def test_it_finds_earlier_enquiries_by_email_any_case_or_by_phone_and_not_strangers() -> None:
    by_email = earlier_lead(email="Meera@Studio.example", phone=None)
    LeadProductFactory(lead=by_email, product="Oak planks")
    by_phone = earlier_lead(email="other@example.com", phone="+919845012345")
    earlier_lead(email="stranger@example.com", phone="+919800000000")
    now = LeadFactory(email="meera@studio.example", phone="+919845012345")

    found = earlier_enquiries(email=now.email, phone=now.phone, before=now.created_at)

    assert {row["id"] for row in found} == {by_email.id, by_phone.id}
    assert next(r for r in found if r["id"] == by_email.id)["products"] == "Oak planks"
    assert earlier_enquiries(email="new@example.com", phone=None, before=now.created_at) == []


def test_a_returning_contact_goes_to_the_rep_who_handled_them_last() -> None:
    asha, vikram = make_rep(), make_rep()
    before = earlier_lead(email="karan@example.com")
    first = route(before)
    handler = asha if first.owner_id == str(asha.id) else vikram
    # The other rep's turn is next by round-robin; the returning contact must still go to the handler.
    RepProfile.objects.filter(user=handler).update(last_assigned_at=timezone.now())

    again = route(LeadFactory(email="KARAN@example.com"))

    assert again.owner_id == str(handler.id)
    event = LeadActivity.objects.get(lead_id=again.lead_id, type="assignment")
    assert event.metadata["rule"] == "returning_contact"
    assert str(before.id) in event.metadata["reason"] and "Returning contact" in event.metadata["reason"]


def test_it_falls_back_to_round_robin_when_the_last_handler_is_away() -> None:
    asha = make_rep()
    before = earlier_lead(phone="+919845012345")
    assert route(before).owner_id == str(asha.id)
    RepProfile.objects.filter(user=asha).update(availability="away")
    vikram = make_rep()

    again = route(LeadFactory(phone="+919845012345"))

    assert again.owner_id == str(vikram.id)
    assert LeadActivity.objects.get(lead_id=again.lead_id, type="assignment").metadata["rule"] == "round_robin"


def test_the_console_shows_earlier_enquiries_and_marks_returning_contacts(client: Client) -> None:
    rep = make_rep()
    before = earlier_lead(email="priya@example.com", status="lost")
    LeadProductFactory(lead=before, product="Wall panels")
    lead = LeadFactory(email="priya@example.com", name="Priya Returning")
    route(lead)
    LeadFactory(name="First Timer")
    client.force_login(rep)

    page = client.get(f"/console/leads/{lead.id}/").content.decode()
    assert "Earlier enquiries" in page and f'data-earlier="{before.id}"' in page
    assert "Wall panels" in page and "Lost" in page
    listing = client.get("/console/leads/").content.decode()
    row = listing[listing.index(f'data-lead="{lead.id}"') :][:900]
    assert "Returning" in row
    stranger_row = listing[listing.index("First Timer") :][:400]
    assert "Returning" not in stranger_row.split("</tr>")[0]
    assert "Returning" in client.get("/console/queue/").content.decode()
    assert "Returning" in client.get("/console/board/").content.decode()
