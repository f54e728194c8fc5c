"""Edit contact details on the lead page: validated like intake, each change an event with from and to."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from activity.models import LeadActivity
from assignments.tests.staff import UserFactory, make_rep
from leads.console.tests.support import routed_lead
from leads.models import Lead

pytestmark = pytest.mark.django_db


def contact_url(lead: Lead) -> str:
    return reverse("console:lead_contact", kwargs={"lead_id": lead.id})


def edits(lead: Lead) -> list[LeadActivity]:
    return list(LeadActivity.objects.filter(lead=lead, type="note", metadata__kind="contact_edit"))


def posted(lead: Lead, **changes: str) -> dict[str, str]:
    data = {"name": lead.name, "phone": lead.phone or "", "company": lead.company or "", "role": lead.role or ""}
    return {**data, "location": lead.location or "", **changes}


def test_it_corrects_a_phone_typo_to_e164_and_records_from_and_to(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep, phone="+919845012345", company="Mehta Buliders", email="k@example.com")
    client.force_login(rep)
    page = client.get(reverse("console:lead", kwargs={"lead_id": lead.id})).content.decode()
    assert "Edit contact details" in page and 'value="Mehta Buliders"' in page

    response = client.post(contact_url(lead), posted(lead, phone="098450 12346", company="Mehta Builders"))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.phone == "+919845012346" and lead.company == "Mehta Builders"
    assert lead.email == "k@example.com"  # as submitted
    (event,) = edits(lead)
    assert event.actor_id == str(rep.id)
    assert event.metadata["changes"] == {
        "phone": {"from": "+919845012345", "to": "+919845012346"},
        "company": {"from": "Mehta Buliders", "to": "Mehta Builders"},
    }
    page = client.get(reverse("console:lead", kwargs={"lead_id": lead.id})).content.decode()
    assert "Mehta Buliders</bdi> → <bdi>Mehta Builders" in page


def test_it_refuses_a_bad_phone_or_name_and_changes_nothing(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep, phone="+919845012345")
    client.force_login(rep)
    for changes, _field in (({"phone": "12"}, "phone"), ({"name": "1"}, "name")):
        response = client.post(contact_url(lead), posted(lead, **changes))
        assert response.status_code == 400, changes
        assert 'role="alert"' in response.content.decode()
    assert client.post(contact_url(lead), posted(lead, role="Astronaut")).status_code == 400
    lead.refresh_from_db()
    assert lead.phone == "+919845012345"
    assert edits(lead) == []


def test_nothing_changed_writes_nothing_and_outsiders_are_refused(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep)
    client.force_login(rep)
    assert client.post(contact_url(lead), posted(lead)).status_code == 302
    assert edits(lead) == []
    client.force_login(UserFactory())
    assert client.post(contact_url(lead), posted(lead, company="X")).status_code == 403
    assert edits(lead) == []
