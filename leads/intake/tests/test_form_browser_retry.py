"""In a real Chromium: a person who gets an error and sends again at once is not taken for a bot."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from leads.models import HeldSubmission, Lead, Product, ProductCategory
from leadsys.testing.browser import labelled as field

pytestmark = pytest.mark.browser


@pytest.fixture
def product() -> Product:
    category, _ = ProductCategory.objects.get_or_create(name="Flooring")
    return Product.objects.create(category=category, name="Retry Test Oak Flooring")


def submit(page: Page) -> int:
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_load_state()
    return response.value.status


def test_it_stores_a_lead_from_a_visitor_who_fixes_a_typo_and_resubmits_quickly(page: Page, product: Product) -> None:
    assert settings.FORM_MIN_FILL_SECONDS == 3  # the shipped default, not overridden here
    shown_at = time.monotonic()
    page.goto(reverse("leads:form"))
    field(page, "Full name").fill("Ravi Menon")
    field(page, "Email").fill("ravi.menon@example")  # the typo
    field(page, "Product").first.select_option(label=product.name)
    page.get_by_label("I have read the privacy notice").check()
    # A person takes a few seconds over the form before sending it.
    page.wait_for_timeout(max(0.0, settings.FORM_MIN_FILL_SECONDS + 1 - (time.monotonic() - shown_at)) * 1000)

    assert submit(page) == 400
    error_shown_at = time.monotonic()
    expect(page.locator("#error-summary")).to_contain_text("Enter a valid email address")
    field(page, "Email").fill("ravi.menon@example.com")
    assert submit(page) == 302
    fixed_in = time.monotonic() - error_shown_at

    # Sent again well within the minimum fill time of the error page: the old bug's trap.
    assert fixed_in < settings.FORM_MIN_FILL_SECONDS - 1, f"resubmitted after {fixed_in:.1f}s: too slow to prove it"
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Ravi!")
    lead = Lead.objects.get()
    assert (lead.name, lead.email) == ("Ravi Menon", "ravi.menon@example.com")
    assert list(lead.products.values_list("product", flat=True)) == [product.name]
    assert not HeldSubmission.objects.exists()
