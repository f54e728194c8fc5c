"""The public enquiry form in a real Chromium: phone, keyboard, errors, escaping, layout."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from activity.models import ActivityType, LeadActivity
from leads.models import HeldSubmission, Lead, LeadProduct, Product, ProductCategory
from leadsys.testing.browser import PageFactory, has_horizontal_scroll
from leadsys.testing.browser import labelled as field

pytestmark = pytest.mark.browser

XSS_PAYLOAD = '<script>window.__xss = "script"</script><img src=x onerror="window.__xss = \'img\'">'


@pytest.fixture
def catalogue() -> dict[str, Product]:
    # Names no migrated product starts with, so keyboard type-ahead is unambiguous.
    flooring, _ = ProductCategory.objects.get_or_create(name="Flooring")
    lighting, _ = ProductCategory.objects.get_or_create(name="Lighting")
    return {
        "oak": Product.objects.create(category=flooring, name="Oakridge Laminate Flooring"),
        "halo": Product.objects.create(category=lighting, name="Halo Slim LED Panel"),
    }


@pytest.fixture
def no_fill_delay(settings: object) -> None:
    settings.FORM_MIN_FILL_SECONDS = 0  # the too-fast trap has its own test


def form_url() -> str:
    return reverse("leads:form")


def product_row(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^Product {number}\b"))


def fill_contact(page: Page, *, name: str, email: str) -> None:
    field(page, "Full name").fill(name)
    field(page, "Email").fill(email)


def submit(page: Page) -> int:
    """Press the submit button; the HTTP status of the form POST."""
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_load_state()
    return response.value.status


@pytest.mark.usefixtures("no_fill_delay")
def test_it_takes_an_enquiry_with_two_products_on_a_phone(new_page: PageFactory, catalogue: dict[str, Product]) -> None:
    page = new_page(device="Pixel 7")
    page.goto(form_url())
    fill_contact(page, name="Asha Rao", email="asha.rao@example.com")
    field(page, "Phone").fill("+91 98765 43210")
    field(page, "I am a").select_option(label="Architect")
    first, second = product_row(page, 1), product_row(page, 2)
    field(first, "Product").select_option(label=catalogue["oak"].name)
    field(first, "Quantity or area").fill("1200 sq ft")
    field(second, "Product").select_option(label=catalogue["halo"].name)
    field(second, "Quantity or area").fill("40 pieces")
    field(second, "Notes").fill("For a studio ceiling")
    field(page, "How can we help?").fill("New office fit-out.")
    page.get_by_label("I have read the privacy notice").tap()
    page.get_by_label("Send me news and offers").tap()

    with page.expect_response(lambda r: r.request.method == "POST") as post:
        page.get_by_role("button", name="Send enquiry").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Asha!")
    assert post.value.status == 302  # post/redirect/get: a refresh cannot resubmit
    assert page.url.endswith(reverse("leads:thanks"))

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    lead = Lead.objects.get()  # exactly one lead, even after the refresh
    assert (lead.name, lead.email, lead.phone, lead.role) == (
        "Asha Rao",
        "asha.rao@example.com",
        "+919876543210",
        "Architect",
    )
    products = {(p.category, p.product, p.quantity, p.notes) for p in LeadProduct.objects.filter(lead=lead)}
    assert products == {
        ("Flooring", "Oakridge Laminate Flooring", "1200 sq ft", None),
        ("Lighting", "Halo Slim LED Panel", "40 pieces", "For a studio ceiling"),
    }
    consent = LeadActivity.objects.get(lead=lead, type=ActivityType.CONSENT)
    assert consent.metadata["privacy_notice_version"] == settings.PRIVACY_NOTICE_VERSION
    assert consent.metadata["marketing_opt_in"] is True
    assert consent.metadata["ip_address"] == "127.0.0.1"


@pytest.mark.usefixtures("no_fill_delay", "catalogue")
def test_it_shows_errors_beside_fields_and_a_linked_summary(page: Page) -> None:
    page.goto(form_url())
    fill_contact(page, name="A", email="not-an-email")
    field(page, "Company").fill("Rao Studio")
    field(page, "How can we help?").fill("Please call after 5pm.")

    assert submit(page) == 400
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # screen readers start at the list of problems
    assert summary.bounding_box()["y"] < page.locator("form").bounding_box()["y"]
    links = summary.get_by_role("link")
    assert {link.get_attribute("href") for link in links.all()} == {
        "#id_name", "#id_email", "#id_privacy_accepted", "#id_products-0-product",
    }  # fmt: skip
    expect(links.first).to_have_text("Full name: Ensure this value has at least 2 characters (it has 1).")
    expect(summary.get_by_role("link", name=re.compile(r"^I have read"))).to_have_text(
        "I have read the privacy notice and agree to be contacted about this enquiry. "
        "Please accept the privacy notice so we can reply to you."
    )
    for control_id in ("id_name", "id_email", "id_privacy_accepted"):
        control = page.locator(f"#{control_id}")
        error = page.locator(f"#{control_id}-error")
        expect(error).to_be_visible()
        expect(control).to_have_attribute("aria-describedby", f"{control_id}-error")
        expect(control).to_have_attribute("aria-invalid", "true")
    # Beside the field: each message sits in the same block as its control.
    name_block = page.locator(".field", has=page.locator("#id_name"))
    expect(name_block.locator(".error")).to_contain_text("at least 2 characters")
    product_block = product_row(page, 1).locator(".field", has=page.locator("#id_products-0-product"))
    expect(product_block.locator(".error")).to_have_text("Choose at least one product you are interested in.")

    summary.get_by_role("link", name=re.compile("^Email")).click()
    assert page.url.endswith("#id_email")
    expect(field(page, "Email")).to_be_in_viewport()

    # What was typed is still there; nothing was stored.
    expect(field(page, "Full name")).to_have_value("A")
    expect(field(page, "Email")).to_have_value("not-an-email")
    expect(field(page, "Company")).to_have_value("Rao Studio")
    expect(field(page, "How can we help?")).to_have_value("Please call after 5pm.")
    assert not Lead.objects.exists()


@pytest.mark.usefixtures("no_fill_delay", "catalogue")
def test_it_ties_the_missing_product_error_to_the_first_product_select(page: Page) -> None:
    page.goto(form_url())
    fill_contact(page, name="Asha Rao", email="asha@example.com")
    assert submit(page) == 400
    select = page.locator("#id_products-0-product")
    expect(select).to_have_attribute("aria-invalid", "true", timeout=1_000)
    expect(select).to_have_accessible_description("Choose at least one product you are interested in.", timeout=1_000)


@pytest.mark.usefixtures("no_fill_delay")
def test_it_works_with_the_keyboard_alone(page: Page, catalogue: dict[str, Product]) -> None:
    page.goto(form_url())
    for label in (
        "Full name", "Email", "Phone", "Company", "I am a", "City", "How can we help?",
        "I have read the privacy notice and agree to be contacted about this enquiry.",
        "Send me news and offers by email (optional).",
    ):  # fmt: skip
        expect(field(page, label)).to_have_count(1)
    for number in (1, 2, 3):
        for label in ("Product", "Quantity or area", "Notes"):
            expect(field(product_row(page, number), label)).to_have_count(1)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, hidden otherwise
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    # Reading order, what a keyboard user does in each control; the trap is never reached.
    steps = [
        ("id_name", "Ravi Kumar"),
        ("id_email", "ravi.kumar@example.com"),
        ("id_phone", ""),
        ("id_company", ""),
        ("id_role", "Contractor"),
        ("id_location", "Pune"),
        ("id_products-0-product", "Halo"),
        ("id_products-0-quantity", "12"),
        ("id_products-0-notes", ""),
        *[(f"id_products-{row}-{name}", "") for row in (1, 2) for name in ("product", "quantity", "notes")],
        ("id_message", "Warehouse lighting"),
        ("privacy-link", ""),  # the notice itself, before agreeing to it
        ("id_privacy_accepted", " "),
        ("id_marketing_opt_in", ""),
    ]
    for control_id, keys in steps:
        assert page.evaluate("document.activeElement.id") == control_id
        if keys:
            page.keyboard.type(keys)
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send enquiry")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Ravi!")
    lead = Lead.objects.get()
    assert (lead.email, lead.role, lead.location, lead.message) == (
        "ravi.kumar@example.com", "Contractor", "Pune", "Warehouse lighting",
    )  # fmt: skip
    assert list(lead.products.values_list("product", "quantity")) == [(catalogue["halo"].name, "12")]


@pytest.mark.usefixtures("no_fill_delay", "catalogue")
def test_it_shows_hostile_text_back_escaped(page: Page) -> None:
    page.goto(form_url())
    fill_contact(page, name=XSS_PAYLOAD, email="x@<script>.example")
    field(page, "How can we help?").fill(XSS_PAYLOAD)
    # A forged choice: Django echoes the bad value in its error message.
    page.eval_on_selector("#id_role", f"select => select.options[1].value = {XSS_PAYLOAD!r}")
    field(page, "I am a").select_option(index=1)

    assert submit(page) == 400
    expect(page.locator("#id_role-error")).to_contain_text(XSS_PAYLOAD)  # shown as text
    expect(field(page, "How can we help?")).to_have_value(XSS_PAYLOAD)
    expect(field(page, "Full name")).to_have_value(XSS_PAYLOAD)
    page.wait_for_timeout(100)  # a broken image's onerror fires asynchronously
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x'], main script").count() == 0


@pytest.mark.usefixtures("no_fill_delay", "catalogue")
def test_it_shows_a_hostile_name_escaped_on_the_thank_you_page(page: Page) -> None:
    page.goto(form_url())
    fill_contact(page, name="<img src=x onerror=window.__xss=1> Rao", email="rao@example.com")
    field(page, "Product").first.select_option(label="Oakridge Laminate Flooring")
    page.get_by_label("I have read the privacy notice").check()

    assert submit(page) == 302
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, <img!")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__xss") is None
    assert Lead.objects.get().name == "<img src=x onerror=window.__xss=1> Rao"


@pytest.mark.usefixtures("no_fill_delay", "catalogue")
def test_it_never_scrolls_sideways_at_375_pixels(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(form_url())
    # The stylesheet loaded and its phone layout applies: one column.
    grid = page.locator(".grid").first
    assert grid.evaluate("g => [getComputedStyle(g).display, getComputedStyle(g).gridTemplateColumns.split(' ').length]") == [
        "grid", 1,
    ]  # fmt: skip
    assert not has_horizontal_scroll(page), "empty form"

    long_word = "Wolfeschlegelsteinhausenbergerdorff" * 2
    fill_contact(page, name=f"{long_word} Smith", email=f"{long_word}@example")
    assert submit(page) == 400
    assert not has_horizontal_scroll(page), "form with errors"

    fill_contact(page, name=f"{long_word} Smith", email="long.name@example.com")
    field(page, "Product").first.select_option(label="Oakridge Laminate Flooring")
    page.get_by_label("I have read the privacy notice").check()
    assert submit(page) == 302
    expect(page.get_by_role("heading", level=1)).to_contain_text(long_word)
    assert not has_horizontal_scroll(page), "thank-you page with a long name"


# A valid submission, filled and sent in one go: if the trap were off it would be stored.
BOT_FILL_AND_SUBMIT = """email => {
    const form = document.querySelector("main form");
    form.elements.name.value = "Sam Lee";
    form.elements.email.value = email;
    const product = form.elements["products-0-product"];
    product.value = [...product.options].find(o => o.text === "Oakridge Laminate Flooring").value;
    form.elements.privacy_accepted.checked = true;
    form.requestSubmit();
}"""


def fill_minimal(page: Page, *, email: str) -> None:
    fill_contact(page, name="Sam Lee", email=email)
    field(page, "Product").first.select_option(label="Oakridge Laminate Flooring")
    page.get_by_label("I have read the privacy notice").check()


@pytest.mark.usefixtures("catalogue")
def test_it_holds_a_form_filled_faster_than_a_person_can(new_page: PageFactory) -> None:
    assert settings.FORM_MIN_FILL_SECONDS == 3  # the shipped default, not overridden here
    patient, hasty = new_page(), new_page()
    patient_shown_at = time.monotonic()
    patient.goto(form_url())
    fill_minimal(patient, email="person@example.com")

    hasty_shown_at = time.monotonic()
    hasty.goto(form_url())
    with hasty.expect_response(lambda r: r.request.method == "POST") as post:
        hasty.evaluate(BOT_FILL_AND_SUBMIT, "bot@example.com")  # as fast as a script fills it
    assert post.value.status == 302
    # The signed stamp counts whole seconds, so allow one second of rounding.
    hasty_took = time.monotonic() - hasty_shown_at
    assert hasty_took < settings.FORM_MIN_FILL_SECONDS - 1, f"filled in {hasty_took:.1f}s: too slow to prove the trap"
    expect(hasty.get_by_role("heading", level=1)).to_have_text("Thank you!")  # a bot learns nothing
    assert not Lead.objects.exists()
    assert HeldSubmission.objects.get().payload["email"] == "bot@example.com"  # held for a manager, not lost

    patient_took = time.monotonic() - patient_shown_at
    patient.wait_for_timeout(max(0.0, settings.FORM_MIN_FILL_SECONDS + 1 - patient_took) * 1000)
    assert submit(patient) == 302
    assert list(Lead.objects.values_list("email", flat=True)) == ["person@example.com"]
