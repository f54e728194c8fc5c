"""The pipeline board: columns by status, newest N with "more", bounded queries, moves through the status service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from activity.models import LeadActivity
from assignments.tests.staff import UserFactory, make_rep
from leads.console.tests.support import routed_lead
from leads.models import Lead
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db
URL = "/console/board/"


def column_of(html: str, status: str) -> str:
    start = html.index(f'id="column-{status}"')
    end = html.find("<section", start + 1)
    return html[start : end if end > 0 else None]


def test_it_shows_open_leads_by_status_with_their_card_facts(client: Client) -> None:
    rep = make_rep(first_name="Asha", last_name="Rao")
    lead = routed_lead(rep, name="Priya Sharma", priority="high")
    LeadProductFactory(lead=lead, category="Lighting")
    LeadFactory(name="Closed Deal", status="converted")
    client.force_login(rep)

    html = client.get(URL).content.decode()

    new = column_of(html, "new")
    assert "Priya Sharma" in new and "Asha Rao" in new and "High" in new and "Lighting" in new
    assert "left" in new  # the SLA clock
    assert "Closed Deal" not in html
    assert 'data-count="1"' in new


def test_it_shows_the_newest_n_per_column_and_a_more_link(client: Client, settings: Any) -> None:
    rep = make_rep()
    leads = LeadFactory.create_batch(5, status="nurturing")
    client.force_login(rep)
    settings.CONSOLE_BOARD_CARDS = 3
    html = column_of(client.get(URL).content.decode(), "nurturing")
    shown = [lead for lead in leads if str(lead.id) in html]
    newest = sorted(leads, key=lambda lead: (lead.created_at, lead.id), reverse=True)[:3]
    assert len(shown) == 3 and sorted(shown, key=lambda x: x.id) == sorted(newest, key=lambda x: x.id)
    assert "/console/leads/?status=nurturing" in html and 'data-count="5"' in html


def test_its_query_count_does_not_grow_with_the_leads(client: Client, django_assert_max_num_queries: Any) -> None:
    rep = make_rep()
    client.force_login(rep)
    LeadFactory.create_batch(3, status="new")
    # The staff role's own statements (SET ROLE, its settings, RESET) are part of the count.
    with django_assert_max_num_queries(26) as few:
        client.get(URL)
    LeadFactory.create_batch(30, status="contacted")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_moving_a_card_changes_the_status_through_the_service(client: Client) -> None:
    rep = make_rep()
    lead = LeadFactory(status="contacted")
    client.force_login(rep)

    response = client.post(f"/console/board/leads/{lead.id}/move/", {"status": "qualified"})

    assert response.status_code == 302 and response["Location"].endswith("/console/board/#column-qualified")
    lead.refresh_from_db()
    assert lead.status == "qualified"
    change = LeadActivity.objects.get(lead=lead, type="status_change")
    assert change.metadata["from_status"] == "contacted" and change.metadata["to_status"] == "qualified"
    assert change.actor_id == str(rep.id)


def test_it_refuses_a_bad_move_and_outsiders(client: Client) -> None:
    rep = make_rep()
    lead = LeadFactory(status="new")
    client.force_login(rep)
    assert client.post(f"/console/board/leads/{lead.id}/move/", {"status": "won"}).status_code == 400
    assert client.post(f"/console/board/leads/{lead.id}/move/", {"status": "new"}).status_code == 409
    client.force_login(UserFactory())
    assert client.post(f"/console/board/leads/{lead.id}/move/", {"status": "lost"}).status_code == 403
    assert client.get(URL).status_code == 403
    assert Lead.objects.get(id=lead.id).status == "new"
    assert not LeadActivity.objects.filter(lead=lead, type="status_change").exists()
