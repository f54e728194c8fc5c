"""In Chromium at a phone's 375 px: a 50,000-character message on the lead page stays out of the way until asked for."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assignments.tests.staff import make_rep
from leads.console.tests.support import PASSWORD, routed_lead
from leadsys.testing.browser import PageFactory, has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TENDER = ("Bill of quantities, item 7: <b>12,000 sq ft</b> SPC flooring, https://example.com/" + "x" * 120 + "\n") * 250


def test_it_shows_the_beginning_and_the_whole_message_on_demand(new_page: PageFactory) -> None:
    rep = make_rep(username="asha")
    rep.set_password(PASSWORD)
    rep.save()
    lead = routed_lead(rep, message=TENDER[:50_000])
    page = new_page(viewport={"width": 375, "height": 740})
    lead_url = reverse("console:lead", kwargs={"lead_id": lead.id})
    page.goto(lead_url)
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{lead_url}")

    preview, whole = page.locator(".lead-message-preview"), page.locator(".lead-message-long")
    show_all = page.get_by_text("Show all (50,000 characters)")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("<b>12,000 sq ft</b>")  # markup shown as text
    expect(whole).to_be_hidden()
    assert preview.bounding_box()["height"] < 1_500
    assert not has_horizontal_scroll(page)

    show_all.click()
    expect(whole).to_be_visible()
    expect(preview).to_be_hidden()  # the beginning is not shown twice
    box = whole.bounding_box()
    assert box["height"] <= 740 * 0.6 + 1  # a box that scrolls, not 50,000 characters of page
    assert whole.evaluate("el => el.scrollHeight > el.clientHeight")
    assert not has_horizontal_scroll(page)
