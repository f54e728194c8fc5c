"""In Chromium at 375 and 1280 px: the pipeline board, and a card moved with the keyboard alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activity.models import LeadActivity
from assignments.tests.staff import make_rep
from leads.console.tests.support import PASSWORD, routed_lead
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leadsys.testing.browser import PageFactory, has_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_rep_moves_a_card_with_the_keyboard(new_page: PageFactory, width: int) -> None:
    rep = make_rep(username="asha", first_name="Asha", last_name="Rao")
    rep.set_password(PASSWORD)
    rep.save()
    lead = routed_lead(rep, name="Priya Sharma", priority="high")
    LeadFactory(name="Rohan Gupta", status="contacted")
    LeadFactory(name="Sana Khan", status="nurturing")
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(reverse("console:board"))
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{reverse('console:board')}")
    page.wait_for_load_state("load")

    card = page.locator(f'li.board-card[data-lead="{lead.id}"]')
    expect(page.locator("#column-new")).to_contain_text("Priya Sharma")
    expect(card).to_contain_text("Asha Rao")
    assert not has_horizontal_scroll(page)
    assert card.get_by_role("button", name="Move").bounding_box()["height"] < 40  # "Move" on one line
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder and width == 1280:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "board.png"), full_page=True)

    move = card.get_by_label("Move Priya Sharma to")
    move.focus()
    move.select_option("qualified")  # what arrow keys do on a focused select
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Priya Sharma: New → Qualified")
    expect(page.locator("#column-qualified")).to_contain_text("Priya Sharma")
    assert Lead.objects.get(id=lead.id).status == "qualified"
    assert LeadActivity.objects.filter(lead=lead, type="status_change", actor_id=str(rep.id)).count() == 1
