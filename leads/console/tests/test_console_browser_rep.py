"""A rep's day in a real Chromium: log in, open the queue, open a lead, log a call, see the SLA result.

Set CONSOLE_SCREENSHOTS=docs/screenshots to keep the queue and lead pages as PNGs.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from activity.models import LeadActivity
from assignments.models import Assignment
from assignments.tests.staff import make_rep
from leads.console.tests.support import PASSWORD, routed_lead
from leadsys.testing.browser import PageFactory, has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOSTILE_NAME = "<script>window.__xss='name'</script>Ravi"
HOSTILE_MESSAGE = "<img src=x onerror=\"window.__xss='img'\"> need 40 panels"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def log_in(page: Page, username: str) -> None:
    page.goto(reverse("console:queue"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The click does not wait for the next page; its stylesheets must be in before layout is measured.
    page.wait_for_url(f"**{reverse('console:queue')}")
    page.wait_for_load_state("load")


@pytest.fixture
def rep() -> object:
    user = make_rep(first_name="Asha", last_name="Rao", username="asha")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_rep_logs_a_call_from_the_queue_and_sees_the_sla_met(page: Page, rep: object) -> None:
    overdue = routed_lead(rep, name="Karan Mehta", company="Mehta Builders", priority="high")
    Assignment.objects.filter(lead=overdue).update(sla_deadline=timezone.now() - timedelta(minutes=45))
    routed_lead(rep, name=HOSTILE_NAME, message=HOSTILE_MESSAGE, priority="low", intent="sample_request")
    lead = routed_lead(rep, name="Priya Sharma", company="Sharma Interiors", priority="medium")

    log_in(page, "asha")
    expect(page).to_have_url(reverse("console:queue"))  # came back to where the login started
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Karan Mehta")  # overdue: most urgent
    expect(rows.first.locator(".sla-overdue")).to_contain_text(re.compile(r"Overdue by 4\d min"))
    expect(page.get_by_role("link", name=HOSTILE_NAME)).to_be_visible()  # shown as text
    screenshot(page, "queue.png")

    page.get_by_role("link", name="Priya Sharma").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Sharma")
    expect(page.locator(".owner")).to_have_text("Asha Rao")
    page.get_by_label("What was said").fill("Quoted for 1200 sq ft of oak; sending samples.")
    page.get_by_label("Duration (minutes)").fill("6")
    page.get_by_role("button", name="Log call").click()

    expect(page.locator(".messages")).to_contain_text("Call logged.")
    expect(page.locator(".sla-result")).to_contain_text("SLA met")
    expect(page.locator(".timeline .event").first).to_contain_text("Quoted for 1200 sq ft of oak")
    expect(page.locator(".timeline .event").first).to_contain_text("Asha Rao")
    call = LeadActivity.objects.get(lead=lead, type="call")
    assert call.metadata["duration_seconds"] == 360
    assert Assignment.objects.get(lead=lead).sla_met is True
    screenshot(page, "lead.png")

    page.goto(reverse("console:queue"))
    expect(rows).to_have_count(2)
    assert page.evaluate("window.__xss") is None


def test_the_hostile_lead_renders_as_text_and_fits_a_phone(new_page: PageFactory, rep: object) -> None:
    lead = routed_lead(rep, name=HOSTILE_NAME, message=HOSTILE_MESSAGE)
    page = new_page(viewport={"width": 375, "height": 740})
    log_in(page, "asha")
    assert not has_horizontal_scroll(page)

    page.goto(reverse("console:lead", kwargs={"lead_id": lead.id}))

    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE_NAME)
    expect(page.locator(".lead-message")).to_contain_text("<img src=x onerror=\"window.__xss='img'\">")
    assert page.evaluate("window.__xss") is None
    assert not has_horizontal_scroll(page)
