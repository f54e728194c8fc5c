"""Follow-ups due: mine first, complete and snooze by POST, keyset pages, clear refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activity.models import ActivityStatus, LeadActivity
from activity.tests.factories import FollowUpFactory
from assignments.tests.factories import AssignmentFactory
from leads.console.tests.overview_support import client_for, manager_client, rep_client

pytestmark = pytest.mark.django_db
URL = "/console/follow-ups/"


def _due(owner_id: str | None = None, *, minutes_ago: int = 30, **kwargs: object) -> LeadActivity:
    item = FollowUpFactory(scheduled_for=timezone.now() - timedelta(minutes=minutes_ago), **kwargs)
    if owner_id:
        AssignmentFactory(lead=item.lead, owner_id=owner_id, owner_name=f"Owner {owner_id}")
    return item


def _section(html: str, title: str) -> str:
    start = html.index(f">{title}</h2>")
    end = html.find("</section>", start)
    return html[start:end]


def test_it_sends_anonymous_users_to_the_login_page() -> None:
    assert client_for(None).get(URL).status_code == 302


def test_it_shows_a_rep_only_their_own_due_follow_ups() -> None:
    rep, client = rep_client()
    mine = _due(str(rep.id))
    other = _due("someone-else")
    not_due = FollowUpFactory(scheduled_for=timezone.now() + timedelta(hours=3))
    AssignmentFactory(lead=not_due.lead, owner_id=str(rep.id))
    html = client.get(URL).content.decode()
    assert str(mine.id) in _section(html, "Mine")
    assert str(other.id) not in html and str(not_due.id) not in html
    assert "Everyone's" not in html


def test_it_shows_a_manager_theirs_first_then_everyones() -> None:
    manager, client = manager_client()
    mine = _due(str(manager.id), minutes_ago=5)
    other = _due("rep-9", minutes_ago=60)
    html = client.get(URL).content.decode()
    assert html.index("Mine") < html.index("Everyone")
    assert str(mine.id) in _section(html, "Mine") and str(other.id) not in _section(html, "Mine")
    everyone = _section(html, "Everyone's")
    assert everyone.index(str(other.id)) < everyone.index(str(mine.id))  # oldest due first


def test_it_says_when_nothing_is_due() -> None:
    _, client = rep_client()
    assert "No follow-ups due for you." in client.get(URL).content.decode()


def test_it_completes_a_follow_up_with_its_outcome() -> None:
    rep, client = rep_client()
    item = _due(str(rep.id))
    response = client.post(f"{URL}{item.id}/complete/", {"outcome": "Called, sending a quote"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActivityStatus.COMPLETED
    assert item.metadata["outcome"] == "Called, sending a quote" and item.metadata["decided_by"] == str(rep.id)
    assert str(item.id) not in client.get(URL).content.decode()


def test_it_snoozes_by_closing_and_rescheduling_the_same_action() -> None:
    rep, client = rep_client()
    item = _due(str(rep.id))
    before = timezone.now()
    response = client.post(f"{URL}{item.id}/snooze/", {"until": "1h"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActivityStatus.CANCELLED
    new = LeadActivity.objects.get(lead=item.lead, type="follow_up", status="pending")
    assert new.metadata["action"] == item.metadata["action"]
    scheduled = timezone.datetime.fromisoformat(new.metadata["scheduled_for"])
    assert before + timedelta(minutes=59) < scheduled < timezone.now() + timedelta(minutes=61)
    assert str(new.id) not in client.get(URL).content.decode()  # not due any more


def test_it_refuses_an_unknown_snooze_length_and_writes_nothing() -> None:
    rep, client = rep_client()
    item = _due(str(rep.id))
    count = LeadActivity.objects.count()
    response = client.post(f"{URL}{item.id}/snooze/", {"until": "forever"})
    assert response.status_code == 400
    assert "Choose how long to snooze for." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ActivityStatus.PENDING and LeadActivity.objects.count() == count


def test_it_refuses_completing_twice_with_a_conflict() -> None:
    rep, client = rep_client()
    item = _due(str(rep.id))
    assert client.post(f"{URL}{item.id}/complete/").status_code == 302
    response = client.post(f"{URL}{item.id}/complete/")
    assert response.status_code == 409
    assert "already completed" in response.content.decode()


def test_it_answers_404_for_unknown_or_malformed_ids() -> None:
    _, client = rep_client()
    unknown = client.post(f"{URL}00000000-0000-0000-0000-000000000000/complete/")
    assert unknown.status_code == 404 and "No such follow-up." in unknown.content.decode()
    assert client.post(f"{URL}not-a-uuid/complete/").status_code == 404


def test_it_refuses_an_outcome_with_a_nul_character() -> None:
    rep, client = rep_client()
    item = _due(str(rep.id))
    response = client.post(f"{URL}{item.id}/complete/", {"outcome": "bad\x00byte"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == ActivityStatus.PENDING


def test_it_needs_the_csrf_token() -> None:
    rep = rep_client()[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    item = _due(str(rep.id))
    assert client.post(f"{URL}{item.id}/complete/").status_code == 403
    item.refresh_from_db()
    assert item.status == ActivityStatus.PENDING


def test_it_pages_by_keyset_without_repeating_or_losing_rows() -> None:
    rep, client = rep_client()
    items = {str(_due(str(rep.id), minutes_ago=m).id) for m in range(1, 31)}
    seen: list[str] = []
    url = URL
    for _ in range(5):
        html = client.get(url).content.decode()
        seen += re.findall(r'data-follow-up="([0-9a-f-]+)"', html)
        found = re.search(r'href="\?mine_after=([^"]+)">Next page', html)
        if not found:
            break
        url = f"{URL}?mine_after={found.group(1)}"
    assert len(seen) == 30 and set(seen) == items


def test_it_refuses_a_tampered_page_link() -> None:
    _, client = rep_client()
    response = client.get(URL, {"mine_after": "yesterday_abc"})
    assert response.status_code == 400
    assert "This page link is not valid" in response.content.decode()
