"""The console's Held submissions page: managers only, newest first, keyset pages, release and discard by POST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activity.models import LeadActivity
from assignments.tests.staff import make_manager
from leads.console.tests.overview_support import client_for, manager_client, outsider_client, rep_client
from leads.intake.services import Submission, held_submission_create
from leads.models import HeldSubmission, Lead

pytestmark = pytest.mark.django_db
URL = "/console/held/"


def held(name: str = "Kabir Das", *, minutes_ago: int = 0) -> HeldSubmission:
    email = f"{name.split()[0].lower()}@example.com"
    item = held_submission_create(submission=Submission(name=name, email=email), reason="too_fast")
    if minutes_ago:  # data set-up: an older submission
        HeldSubmission.objects.filter(id=item.id).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return HeldSubmission.objects.get(id=item.id)


def test_it_sends_anonymous_users_to_the_login_page() -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_refuses_reps_and_outsiders_to_see_release_or_discard() -> None:
    item = held()
    _, rep = rep_client()
    for client in (rep, outsider_client()):
        assert client.get(URL).status_code == 403
        assert client.post(f"{URL}{item.id}/release/").status_code == 403
        assert client.post(f"{URL}{item.id}/discard/").status_code == 403
    item.refresh_from_db()
    assert item.status == "held" and item.payload["name"] == "Kabir Das"
    assert not Lead.objects.exists()


def test_it_links_the_page_in_the_console_nav_for_managers_only() -> None:
    _, rep = rep_client()
    _, manager = manager_client()
    assert "Held submissions" not in rep.get("/console/").content.decode()
    assert f'href="{URL}"' in manager.get("/console/").content.decode()


def test_it_lists_held_items_newest_first_escaped_and_leaves_decided_ones_out() -> None:
    old, new = held("Old Visitor", minutes_ago=30), held("<b>New</b> Visitor")
    decided = held("Decided Visitor")
    HeldSubmission.objects.filter(id=decided.id).update(status="discarded", payload={})
    _, manager = manager_client()

    page = manager.get(URL).content.decode()

    assert page.index(str(new.id)) < page.index(str(old.id))
    assert str(decided.id) not in page
    assert "&lt;b&gt;New&lt;/b&gt; Visitor" in page and "<b>New</b>" not in page
    assert "Sent faster than a person fills the form" in page


def test_it_pages_by_keyset() -> None:
    items = [held(f"Visitor{n} Test", minutes_ago=n + 1) for n in range(26)]
    _, manager = manager_client()

    first = manager.get(URL)
    assert first.status_code == 200
    next_link = first.context["next"]
    assert next_link and len(first.context["held"]) == 25
    second = manager.get(URL, {"after": next_link})

    assert [item.id for item in second.context["held"]] == [items[-1].id]  # the oldest
    assert second.context["next"] is None
    assert manager.get(URL, {"after": "garbage"}).status_code == 400


def test_it_releases_into_a_lead_and_refuses_a_second_decision_with_409() -> None:
    item = held()
    manager_user, manager = manager_client()

    response = manager.post(f"{URL}{item.id}/release/", follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "it is now a lead" in response.content.decode()
    lead = Lead.objects.get(email="kabir@example.com")
    event = LeadActivity.objects.get(lead=lead, metadata__kind="held_release")
    assert event.actor_id == str(manager_user.id)
    again = manager.post(f"{URL}{item.id}/discard/")
    assert again.status_code == 409
    assert "already released" in again.content.decode()
    assert Lead.objects.count() == 1


def test_it_discards_and_answers_404_for_an_unknown_item() -> None:
    item = held()
    _, manager = manager_client()

    assert manager.post(f"{URL}{item.id}/discard/").status_code == 302
    item.refresh_from_db()
    assert (item.status, item.payload) == ("discarded", {})
    assert manager.post(f"{URL}00000000-0000-0000-0000-000000000000/release/").status_code == 404
    assert not Lead.objects.exists()


def test_it_refuses_a_decision_without_the_csrf_token() -> None:
    item = held()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_manager())

    assert client.post(f"{URL}{item.id}/release/").status_code == 403
    assert client.get(URL).status_code == 200  # the page itself renders the tokens
    item.refresh_from_db()
    assert item.status == "held"


def test_it_only_accepts_post_for_decisions() -> None:
    item = held()
    _, manager = manager_client()
    assert manager.get(f"{URL}{item.id}/release/").status_code == 405
