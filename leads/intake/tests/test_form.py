"""The public form over HTTP: rendering, a good submission, bad input, CSRF, rate limit (bots: test_form_bots)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from activity.models import LeadActivity
from leads.intake.tests.support import (  # noqa: F401 - catalogue_fixture is a fixture
    FORM_URL,
    Catalogue,
    catalogue_fixture,
    form_payload,
    table_counts,
)
from leads.models import Lead, LeadProduct

pytestmark = pytest.mark.django_db


def test_it_renders_the_form_with_the_catalogue_from_the_database(client: Client, catalogue: Catalogue) -> None:
    response = client.get(FORM_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{catalogue.tiles.pk}">Oak Test Tiles</option>' in page
    assert '<optgroup label="Test Walls">' in page
    assert "Slate Test Panels" in page
    assert "Retired Test Panels" not in page  # inactive products are not offered
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<label for="id_email">' in page


def test_it_shows_a_product_staff_add_without_a_deploy(client: Client, catalogue: Catalogue) -> None:
    catalogue.retired.is_active = True
    catalogue.retired.save()

    assert "Retired Test Panels" in client.get(FORM_URL).content.decode()


def test_it_stores_a_good_submission_and_redirects_to_thank_you(client: Client, catalogue: Catalogue) -> None:
    data = form_payload(
        products=[(catalogue.tiles, "1200 sq ft", "Matte"), (catalogue.panels, "", "")],
        marketing_opt_in="on",
    )

    response = client.post(FORM_URL, data)

    assert response.status_code == 302
    assert response["Location"] == "/form/thank-you/"
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.phone, lead.company) == (
        "Asha Verma",
        "asha.verma@example.com",
        "+919876543210",  # 098765 43210 read in the default region IN
        "Verma Interiors",
    )
    assert (lead.role, lead.location, lead.source) == ("Interior Designer", "Pune", "website_form")
    products = [(p.category, p.product, p.quantity, p.notes) for p in LeadProduct.objects.order_by("product")]
    assert products == [
        ("Test Floors", "Oak Test Tiles", "1200 sq ft", "Matte"),
        ("Test Walls", "Slate Test Panels", None, None),
    ]
    consent = LeadActivity.objects.get(lead=lead, type="consent")
    assert consent.metadata["privacy_notice_version"] == "2026-01"
    assert consent.metadata["marketing_opt_in"] is True
    assert consent.metadata["ip_address"] == "127.0.0.1"

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you, <bdi>Asha</bdi>!" in thanks.content.decode()


def test_it_records_a_marketing_refusal_as_given(client: Client, catalogue: Catalogue) -> None:
    client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")]))

    assert LeadActivity.objects.get(type="consent").metadata["marketing_opt_in"] is False


BAD_INPUT = [
    pytest.param({"email": "asha@"}, "email", "Enter a valid email address", id="bad-email"),
    pytest.param({"email": "asha verma@example.com"}, "email", "Enter a valid email address", id="email-space"),
    pytest.param({"name": "A"}, "name", "at least 2 characters", id="short-name"),
    pytest.param({"phone": "call me maybe"}, "phone", "Enter a phone number we can call", id="unparseable-phone"),
    pytest.param({"phone": "+91 12345"}, "phone", "not valid for its country", id="invalid-phone"),
    pytest.param({"name": "N" * 256}, "name", "at most 255 characters", id="long-name"),
    pytest.param({"company": "C" * 256}, "company", "at most 255 characters", id="long-company"),
    pytest.param({"location": "L" * 256}, "location", "at most 255 characters", id="long-location"),
    pytest.param({"products-0-notes": "n" * 2001}, "products-0-notes", "at most 2000 characters", id="long-notes"),
    pytest.param({"products-0-quantity": "q" * 101}, "products-0-quantity", "at most 100 characters", id="long-qty"),
    pytest.param({"privacy_accepted": ""}, "privacy_accepted", "Please accept the privacy notice", id="no-consent"),
    pytest.param({"role": "Astronaut"}, "role", "Select a valid choice", id="bad-role"),
    pytest.param({"products-0-product": "999999"}, "products-0-product", "Select a valid choice", id="bad-product"),
    pytest.param(
        {"products-0-product": "retired"}, "products-0-product", "Select a valid choice", id="inactive-product"
    ),
    pytest.param(
        {"products-0-product": "", "products-0-quantity": "", "products-0-notes": ""},
        "products-0-product",
        "Choose at least one product",
        id="no-product",
    ),
    pytest.param({"products-0-product": ""}, "products-0-product", "Choose the product these details", id="orphan-qty"),
    pytest.param({"name": "Bad\x00Name"}, "name", "Null characters are not allowed", id="nul-in-name"),
]


@pytest.mark.parametrize(("changes", "field", "error"), BAD_INPUT)
def test_it_refuses_bad_input_inline_keeping_what_was_typed(
    client: Client, catalogue: Catalogue, changes: dict[str, Any], field: str, error: str
) -> None:
    if changes.get("products-0-product") == "retired":
        changes = {"products-0-product": str(catalogue.retired.pk)}
    data = form_payload(products=[(catalogue.tiles, "500 sq ft", "Oak")], company="Kept & Co")
    data.update(changes)
    before = table_counts()

    response = client.post(FORM_URL, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f'id="id_{field}-error"' in page or (field == "products-0-product" and 'id="products-error"' in page)
    assert error in html.unescape(page)
    # The visitor's input is kept (and escaped).
    kept = 'value="Kept &amp; Co"' if "company" not in changes else 'value="Pune"'
    assert kept in page
    assert table_counts() == before


def test_it_marks_the_invalid_field_for_screen_readers(client: Client, catalogue: Catalogue) -> None:
    data = form_payload(products=[(catalogue.tiles, "", "")], email="nope")

    page = client.post(FORM_URL, data).content.decode()

    assert 'aria-describedby="id_email-error"' in page
    assert '<a href="#id_email">' in page


def test_it_points_the_first_product_select_at_the_missing_product_error(client: Client, catalogue: Catalogue) -> None:
    page = client.post(FORM_URL, form_payload(products=[])).content.decode()

    select = re.search(r'<select name="products-0-product"[^>]*>', page)
    assert select is not None
    assert 'aria-invalid="true"' in select.group(0)
    assert 'aria-describedby="id_products-0-product-error"' in select.group(0)
    assert 'id="id_products-0-product-error">Choose at least one product' in page
    other = re.search(r'<select name="products-1-product"[^>]*>', page)
    assert other is not None and "aria-invalid" not in other.group(0)


def test_it_refuses_a_post_without_the_csrf_token(catalogue: Catalogue) -> None:
    client = Client(enforce_csrf_checks=True)
    before = table_counts()

    response = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")]))

    assert response.status_code == 403
    assert table_counts() == before


def test_it_accepts_a_post_carrying_the_token_it_rendered(catalogue: Catalogue) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(FORM_URL)
    token = page.context["csrf_token"]

    response = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert Lead.objects.count() == 1


def test_it_answers_429_once_the_address_used_its_allowance(
    client: Client, catalogue: Catalogue, settings: Any
) -> None:
    settings.INTAKE_RATE_LIMIT = 2
    emails = [f"visitor{n}@example.com" for n in range(3)]
    statuses = [
        client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], email=email)).status_code
        for email in emails
    ]

    assert statuses == [302, 302, 429]
    refused = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], email="late@example.com"))
    assert refused.status_code == 429
    assert "Too many enquiries" in refused.content.decode()
    assert sorted(Lead.objects.values_list("email", flat=True)) == emails[:2]
    # Another address is not affected.
    other = client.post(
        FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], email="o@example.com"), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_it_stores_markup_as_typed_and_shows_it_escaped(client: Client, catalogue: Catalogue) -> None:
    script = "<script>alert('x')</script> & <b>bold</b> नमस्ते 🏠"
    client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", script)], message=script, company=script))

    lead = Lead.objects.get()
    assert lead.message == script
    assert lead.company == script
    assert LeadProduct.objects.get().notes == script

    # Shown back on a re-render (an invalid email keeps the rest): escaped, never live.
    page = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], message=script, email="x")).content
    text = page.decode()
    assert "<script>alert" not in text
    assert html.escape(script, quote=False).replace("'", "&#x27;") in text


def test_it_rejects_other_methods(client: Client) -> None:
    assert client.put(FORM_URL, {}).status_code == 405


@pytest.mark.parametrize(
    "management",
    [
        pytest.param({"products-TOTAL_FORMS": "1000"}, id="too-many-forms"),
        pytest.param({"products-TOTAL_FORMS": "lots"}, id="not-a-number"),
        pytest.param({"products-TOTAL_FORMS": None, "products-INITIAL_FORMS": None}, id="missing"),
    ],
)
def test_it_refuses_a_tampered_product_formset_with_400(
    client: Client, catalogue: Catalogue, management: dict[str, str | None]
) -> None:
    data = form_payload(products=[(catalogue.tiles, "", "")])
    for key, value in management.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    before = table_counts()

    response = client.post(FORM_URL, data)

    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert table_counts() == before


def test_it_keeps_refreshing_the_thank_you_page_harmless(client: Client, catalogue: Catalogue) -> None:
    response = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")]), follow=True)

    assert response.redirect_chain == [("/form/thank-you/", 302)]
    assert client.get("/form/thank-you/").status_code == 200  # the refresh is a GET: nothing resubmitted
    assert Lead.objects.count() == 1


@pytest.mark.parametrize("letter", ["a", "न", "🏠"])
def test_it_takes_a_50_000_character_message_in_any_script(client: Client, catalogue: Catalogue, letter: str) -> None:
    page = client.get(FORM_URL).content.decode()
    message = letter * 50_000  # up to 4 bytes a character: 200 KB, within the 256 KiB request limit
    # The browser sends what the form's enctype says; Django's test client sends multipart too.
    assert 'enctype="multipart/form-data"' in page

    response = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], message=message))

    assert response.status_code == 302
    assert Lead.objects.get().message == message
