"""What people see around the work: links they can use, who decided an approval, branded error pages, a favicon."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from activity.tests.factories import ApprovalFactory
from assignments.approvals import approval_decide
from leads.console.tests.overview_support import manager_client, outsider_client, rep_client
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Console".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def test_it_shows_a_rep_only_the_links_a_rep_can_use() -> None:
    _, rep = rep_client()
    _, manager = manager_client()
    assert "Approvals" not in nav_links(rep.get("/console/queue/").content.decode())
    assert "Approvals" in nav_links(manager.get("/console/queue/").content.decode())


def test_it_answers_a_forbidden_page_with_a_branded_page_that_says_why(settings: Any) -> None:
    settings.DEBUG = False
    _, rep = rep_client()
    response = rep.get("/console/approvals/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in html and "Only sales managers can do this." in html
    assert "css/site.css" in html
    outsider = outsider_client().get("/console/queue/").content.decode()
    assert "Only sales reps and managers can use the console." in outsider


def test_it_shows_branded_404_and_500_pages_without_debug(settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    assert "favicon.svg" in response.content.decode()

    from django.template.loader import render_to_string

    # handler500 renders without a request or context processors: the page must still render.
    for name, text in (("500.html", "Something went wrong"), ("503.html", "We are back in a moment")):
        assert text in render_to_string(name)


def test_it_serves_a_favicon_and_links_it_from_every_page() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".svg")
    assert Client().get(response["Location"]).status_code == 200
    login = Client().get("/accounts/login/").content.decode()
    assert 'rel="icon"' in login and "login-card" in login


def test_the_approvals_page_shows_who_decided_and_when() -> None:
    manager, client = manager_client()
    manager.first_name, manager.last_name = "Ritu", "Kapoor"
    manager.save()
    lead = LeadFactory(name="Meera Nair")
    item = ApprovalFactory(lead=lead)
    before = timezone.localtime()
    approval_decide(activity_id=item.id, actor=manager, approve=False, comment="Discount too deep")

    html = client.get("/console/approvals/").content.decode()
    row = re.search(rf'<tr data-decided="{item.id}">.*?</tr>', html, re.S).group(0)
    assert "Meera Nair" in row and "Ritu Kapoor" in row and "Discount too deep" in row
    assert "Rejected" in row
    assert before.strftime("%d %b %Y") in row
    assert f'data-approval="{item.id}"' not in html  # no longer waiting
