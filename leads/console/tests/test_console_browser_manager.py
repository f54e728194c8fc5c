"""In Chromium: a manager logs in, reads the dashboard's charts, and approves an approval.

Set CONSOLE_SCREENSHOTS=docs/screenshots to keep the overview pages as PNGs.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from activity.models import ActivityStatus
from activity.tests.factories import AIResultFactory, ApprovalFactory, FollowUpFactory
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_manager
from leads.tests.factories import LeadFactory

PASSWORD = "overview-pass-123"
pytestmark = pytest.mark.browser


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def _demo_data(manager_id: str) -> object:
    now = timezone.now()
    sources = ("website_form", "referral", "campaign", "phone")
    for day in range(0, 30, 2):
        for i, source in enumerate(sources[: 1 + day % 4]):
            lead = LeadFactory(source=source, created_at=now - timedelta(days=day, minutes=i))
            AIResultFactory(lead=lead)
    # Owner ids no user can have: a user id of 11 would merge "Manager" into Asha's bar.
    for owner, name, n in (("ext-asha", "Asha Rao", 4), ("ext-vikram", "Vikram Shah", 2)):
        AssignmentFactory.create_batch(n, owner_id=owner, owner_name=name)
    AssignmentFactory(assigned_at=now - timedelta(hours=3), completed=True)
    follow_up = FollowUpFactory(scheduled_for=now - timedelta(hours=1), lead__name="Priya Sharma")
    AssignmentFactory(lead=follow_up.lead, owner_id=manager_id, owner_name="Manager")
    return ApprovalFactory(
        lead__name="Kiran <script>alert(1)</script> Builders",
        metadata={"approval_type": "high_value_lead", "ai_recommendation": "call_within_30_min: 5,000 sq ft of oak"},
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_manager_read_the_dashboard_and_approve(page: Page) -> None:
    manager = make_manager(username="meena")
    manager.set_password(PASSWORD)
    manager.save()
    approval = _demo_data(str(manager.id))

    page.goto("/console/")
    page.get_by_label("Username").fill("meena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    charts = page.locator("svg.chart-svg")
    expect(charts).to_have_count(5)
    assert page.locator("svg.chart-svg rect.bar").count() > 20
    per_rep = page.get_by_role("img", name="Open leads per rep")
    expect(per_rep.locator('g[data-label="Asha Rao"]')).to_have_attribute("data-value", "4")
    screenshot(page, "dashboard.png")

    page.goto("/console/follow-ups/")
    expect(page.get_by_role("link", name="Priya Sharma").first).to_be_visible()
    screenshot(page, "follow_ups.png")

    page.goto("/console/leads/")
    expect(page.locator("tr[data-lead]").first).to_be_visible()
    screenshot(page, "leads.png")

    page.goto("/console/approvals/")
    card = page.locator(f'li[data-approval="{approval.id}"]')
    expect(card.get_by_role("heading")).to_have_text("Kiran <script>alert(1)</script> Builders")  # text, not markup
    expect(card).to_contain_text("5,000 sq ft of oak")
    screenshot(page, "approvals.png")
    card.get_by_label("Comment").fill("Large order, go ahead")
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("No approvals waiting.")).to_be_visible()

    approval.refresh_from_db()
    assert approval.status == ActivityStatus.APPROVED
    assert approval.metadata["comment"] == "Large order, go ahead"
