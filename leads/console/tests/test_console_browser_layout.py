"""In Chromium at a phone's 375 px and a laptop's 1280 px: what the console looks like around the work.

Unique ids on the lead page, chart labels inside their chart, the table labels on one
line, every nav link and the user's name on screen, a styled login, branded error pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from activity.tests.factories import AIResultFactory
from assignments.tests.staff import make_manager, make_rep
from leads.console.tests.support import PASSWORD, routed_lead
from leads.tests.factories import LeadFactory
from leadsys.testing.browser import PageFactory, has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = [
    pytest.param({"width": 375, "height": 740}, id="phone"),
    pytest.param({"width": 1280, "height": 800}, id="laptop"),
]
DUPLICATE_IDS = """() => {
  const seen = {}; for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id]) => id);
}"""
CLIPPED_LABELS = """() => [...document.querySelectorAll('svg.chart-svg text.axis-label')]
  .filter(t => t.getBBox().x < 0).map(t => t.textContent)"""


def log_in(page: Page, username: str, then: str) -> None:
    page.goto(then)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{then}")
    page.wait_for_load_state("load")


def assert_whole_nav_visible(page: Page, viewport: dict) -> None:
    """Every link inside the nav's own box (not scrolled or clipped away) and on the screen."""
    nav = page.locator(".console-nav").bounding_box()
    right = min(viewport["width"], nav["x"] + nav["width"]) + 1
    for link in page.locator(".console-nav a").all():
        box = link.bounding_box()
        assert box and box["x"] >= nav["x"] - 1 and box["x"] + box["width"] <= right, link.text_content()


def staff(maker: Any, username: str, **names: str) -> Any:
    user = maker(username=username, **names)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("viewport", SIZES)
def test_the_lead_page_and_queue_fit_with_unique_ids_and_the_whole_nav(new_page: PageFactory, viewport: dict) -> None:
    rep = staff(make_rep, "asha", first_name="Asha", last_name="Rao")
    lead = routed_lead(rep, name="Priya Sharma", phone="+919845012345", source="website_form")
    page = new_page(viewport=viewport)
    log_in(page, "asha", reverse("console:queue"))

    row = page.locator("table.queue tbody tr").first
    sla_cell = row.locator('td[data-label="SLA"]')
    # The cell's label ("SLA" on a phone) must not break across lines.
    assert sla_cell.evaluate("td => getComputedStyle(td, '::before').whiteSpace") in ("nowrap", "normal")
    if viewport["width"] < 640:
        assert sla_cell.evaluate("td => getComputedStyle(td, '::before').whiteSpace") == "nowrap"
    assert_whole_nav_visible(page, viewport)
    expect(page.locator(".user-name")).to_be_visible()
    expect(page.locator(".user-name")).to_contain_text("Asha")
    assert not has_horizontal_scroll(page)

    page.goto(reverse("console:lead", kwargs={"lead_id": lead.id}))
    assert page.evaluate(DUPLICATE_IDS) == []
    expect(page.locator(".facts")).to_contain_text("+91 98450 12345")
    expect(page.locator(".facts")).to_contain_text("Website form")
    assert not has_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_the_dashboard_keeps_every_chart_label_inside_its_chart(new_page: PageFactory, viewport: dict) -> None:
    staff(make_manager, "meena", first_name="Meenakshi", last_name="Sundaram-Iyer")
    for intent in ("dealership_partnership", "site_visit_request", "support_complaint"):
        AIResultFactory(lead=LeadFactory(), metadata={**AIResultFactory.build().metadata, "intent": intent})
    page = new_page(viewport=viewport)
    log_in(page, "meena", reverse("console:dashboard"))

    expect(page.locator("svg.chart-svg").first).to_be_visible()
    assert page.evaluate(CLIPPED_LABELS) == []
    expect(page.get_by_role("link", name="Approvals")).to_be_visible()  # a manager's link
    assert_whole_nav_visible(page, viewport)  # the manager's longer nav too
    assert not has_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_the_login_and_error_pages_are_branded(new_page: PageFactory, viewport: dict, settings: Any) -> None:
    settings.DEBUG = False
    staff(make_rep, "ravi")
    page = new_page(viewport=viewport)
    page.goto(reverse("login"))
    field = page.get_by_label("Username")
    assert field.evaluate("el => getComputedStyle(el).borderRadius") == "8px"
    assert field.bounding_box()["height"] >= 44
    assert not has_horizontal_scroll(page)

    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    assert page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"

    log_in(page, "ravi", reverse("console:queue"))
    response = page.goto(reverse("console:approvals"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    expect(page.locator("main")).to_contain_text("Only sales managers can do this.")
    assert not has_horizontal_scroll(page)
