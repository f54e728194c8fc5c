"""The admin in a real Chromium: a lead whose fields hold script and img payloads renders as text."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from activity.tests.factories import ActivityFactory
from assignments.tests.factories import AssignmentFactory
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOSTILE_NAME = "<script>window.__xss='name'</script>Ravi"
HOSTILE_MESSAGE = "<img src=x onerror=\"window.__xss='img'\"> need 40 panels"
PASSWORD = "admin-browser-5512"


def test_the_admin_shows_hostile_lead_text_as_text(page: Page) -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    lead = LeadFactory(name=HOSTILE_NAME, message=HOSTILE_MESSAGE, company="<b>Bold</b> Co")
    LeadProductFactory(lead=lead, notes="<svg onload=\"window.__xss='svg'\">")
    AssignmentFactory(lead=lead, owner_name="<i>Rita</i>")
    ActivityFactory(lead=lead, message="<script>window.__xss='event'</script>called")

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto("/admin/leads/lead/?q=ravi")
    expect(page.get_by_role("link", name=HOSTILE_NAME)).to_be_visible()
    page.get_by_role("link", name=HOSTILE_NAME).click()

    expect(page.get_by_text(HOSTILE_MESSAGE)).to_be_visible()
    expect(page.get_by_text("<b>Bold</b> Co", exact=True)).to_be_visible()
    expect(page.get_by_text("<i>Rita</i>", exact=True)).to_be_visible()
    expect(page.get_by_text("<script>window.__xss='event'</script>called")).to_be_visible()
    assert page.locator("b", has_text="Bold").count() == 0
    page.goto("/admin/activity/leadactivity/")
    expect(page.get_by_text("<script>window.__xss='event'</script>called")).to_be_visible()
    assert page.evaluate("window.__xss === undefined")
