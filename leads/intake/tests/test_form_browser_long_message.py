"""In a real Chromium at a phone's 375 px: a pasted tender text, its live count, and a text too large to send."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from leads.models import Lead, Product, ProductCategory
from leadsys.testing.browser import PageFactory, has_horizontal_scroll
from leadsys.testing.browser import labelled as field

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
# 50,000 characters in lines, with one word far wider than a phone.
TENDER = ("Section 4.2: supply and fix SPC flooring, 12,000 sq ft, Wolfeschlegelsteinhausenbergerdorff.\n" * 600)[
    :50_000
]


@pytest.fixture
def product(settings: Any) -> Product:
    settings.FORM_MIN_FILL_SECONDS = 0  # the too-fast trap has its own test
    category, _ = ProductCategory.objects.get_or_create(name="Flooring")
    return Product.objects.create(category=category, name="Long Message Oak Flooring")


def fill_the_rest(page: Page, product: Product) -> None:
    field(page, "Full name").fill("Kavya Iyer")
    field(page, "Email").fill("kavya.iyer@example.com")
    field(page, "Product").first.select_option(label=product.name)
    page.get_by_label("I have read the privacy notice").check()


def submit(page: Page) -> int:
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_load_state()
    return response.value.status


def test_it_counts_a_pasted_tender_text_as_it_grows_and_stores_it_whole(
    new_page: PageFactory, product: Product
) -> None:
    page = new_page(viewport=PHONE)
    page.goto(reverse("leads:form"))
    message, counter = field(page, "How can we help?"), page.locator("#id_message-count")
    expect(counter).to_have_text("0 characters")
    expect(message).to_have_accessible_description("0 characters")

    message.fill(TENDER)  # a paste: the whole text at once
    expect(counter).to_have_text("50,000 characters")
    message.press("End")
    page.keyboard.type(" Ok")
    expect(counter).to_have_text("50,003 characters")
    expect(page.locator("#id_message-too-long")).to_be_hidden()
    assert not has_horizontal_scroll(page)

    fill_the_rest(page, product)
    assert submit(page) == 302
    expect(page.locator("#message-received")).to_have_text("Your message (50,003 characters) reached us whole.")
    assert not has_horizontal_scroll(page)
    stored = Lead.objects.get().message
    assert len(stored) == 50_003 and stored == TENDER.rstrip() + " Ok"  # line breaks as typed


def test_it_warns_before_a_text_too_large_to_send_and_answers_413_if_sent(
    new_page: PageFactory, product: Product, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # 20 KB in all, about 11.5 KB of it for the message
    page = new_page(viewport=PHONE)
    page.goto(reverse("leads:form"))
    warning, counter = page.locator("#id_message-too-long"), page.locator("#id_message-count")

    field(page, "How can we help?").fill("x" * 15_000)
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("too long to send: the form takes 19.5\xa0KB in all")
    expect(counter).to_have_text("15,000 characters (14.6 KB)")
    field(page, "How can we help?").fill("x" * 5_000)
    expect(warning).to_be_hidden()
    expect(counter).to_have_text("5,000 characters")

    field(page, "How can we help?").fill("x" * 25_000)
    fill_the_rest(page, product)
    assert submit(page) == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Too large to send")
    expect(page.get_by_role("alert")).to_contain_text("nothing was saved")
    assert not has_horizontal_scroll(page)
    assert not Lead.objects.exists()
