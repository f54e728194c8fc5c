"""In Chromium: the queue page shows a newly assigned lead without a reload, counted in the tab title."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assignments.tests.staff import make_rep
from leads.console.tests.support import PASSWORD, routed_lead
from leadsys.testing.browser import PageFactory, has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_new_assignment_appears_in_the_open_queue(new_page: PageFactory, settings: Any, width: int) -> None:
    settings.CONSOLE_REFRESH_SECONDS = 2
    rep = make_rep(username="asha", first_name="Asha")
    rep.set_password(PASSWORD)
    rep.save()
    routed_lead(rep, name="Already Here")
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(reverse("console:queue"))
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{reverse('console:queue')}")
    expect(page.locator("[data-live-row]")).to_have_count(1)
    assert not page.title().startswith("(")

    routed_lead(rep, name="Fresh Lead", priority="high")

    expect(page.get_by_role("link", name="Fresh Lead")).to_be_visible(timeout=8000)
    expect(page).to_have_title(re.compile(r"^\(1 new\) My queue"))
    expect(page.locator("tr.is-new")).to_contain_text("Fresh Lead")
    assert not has_horizontal_scroll(page)
