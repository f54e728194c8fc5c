"""My queue: my active assignments, most urgent first, with the SLA clock, priority and intent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activity.corrections import ai_correct
from assignments.models import Assignment
from assignments.selectors import latest_ai_result
from assignments.tests.staff import UserFactory, make_manager, make_rep
from leads.console.tests.support import routed_lead

pytestmark = pytest.mark.django_db
QUEUE = reverse("console:queue")


def lead_links(html: str) -> list[str]:
    return re.findall(r'href="/console/leads/([0-9a-f-]{36})/"', html)


def test_it_sends_anonymous_users_to_the_login_page(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_a_signed_in_user_who_is_not_sales_staff(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get(QUEUE).status_code == 403


def test_it_shows_an_empty_state(client: Client) -> None:
    client.force_login(make_rep())
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "Nothing in your queue." in response.content.decode()


def test_it_lists_my_active_assignments_most_urgent_first(client: Client) -> None:
    rep = make_rep()
    leads = [routed_lead(rep) for _ in range(3)]
    # Data setup: give the three assignments deadlines in an order unlike their creation order.
    now = timezone.now()
    for lead, hours in zip(leads, (5, -2, 1), strict=True):
        Assignment.objects.filter(lead=lead, status="active").update(sla_deadline=now + timedelta(hours=hours))
    done = routed_lead(rep)
    Assignment.objects.filter(lead=done).update(status="completed", completed_at=now)
    client.force_login(rep)

    html = client.get(QUEUE).content.decode()

    expected = [
        str(a.lead_id)
        for a in Assignment.objects.filter(owner_id=str(rep.id), status="active").order_by("sla_deadline")
    ]
    assert lead_links(html) == expected == [str(leads[1].id), str(leads[2].id), str(leads[0].id)]
    assert str(done.id) not in html
    assert html.count("sla sla-overdue") == 1
    assert "Overdue by 2h" in html or "Overdue by 1h 59m" in html


def test_it_shows_priority_and_intent_with_corrections_applied(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep, priority="low", intent="product_inquiry")
    ai_correct(ai_result_id=latest_ai_result(lead_id=lead.id).id, actor_id=str(rep.id), priority="high")
    client.force_login(rep)

    html = client.get(QUEUE).content.decode()

    assert '<span class="badge priority-high">High</span>' in html
    assert "Product inquiry" in html


def set_availability(user: object, availability: str) -> None:
    user.rep_profile.availability = availability
    user.rep_profile.save(update_fields=["availability"])


def test_it_does_not_show_another_reps_leads(client: Client) -> None:
    me, other = make_rep(), make_rep(availability="away")
    mine = routed_lead(me)
    # Routing picks whoever is available: swap who is on duty.
    set_availability(me, "away")
    set_availability(other, "available")
    theirs = routed_lead(other)
    client.force_login(me)

    html = client.get(QUEUE).content.decode()

    assert lead_links(html) == [str(mine.id)]
    assert str(theirs.id) not in html


def test_a_manager_views_a_reps_queue(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep)
    client.force_login(make_manager())

    response = client.get(QUEUE, {"owner": rep.id})

    assert response.status_code == 200
    assert lead_links(response.content.decode()) == [str(lead.id)]


def test_a_rep_cannot_view_another_reps_queue(client: Client) -> None:
    rep, other = make_rep(), make_rep()
    client.force_login(rep)
    assert client.get(QUEUE, {"owner": other.id}).status_code == 403
    assert client.get(QUEUE, {"owner": rep.id}).status_code == 200


@pytest.mark.parametrize("owner", ["abc", "99999999999999999999", "0"])
def test_a_manager_asking_for_an_unknown_owner_gets_404(client: Client, owner: str) -> None:
    client.force_login(make_manager())
    assert client.get(QUEUE, {"owner": owner}).status_code == 404
