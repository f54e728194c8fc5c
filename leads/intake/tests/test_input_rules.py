"""Input rules shared by the form and the API: a 64-character local part, a name of two letters, bidi isolation."""

from __future__ import annotations

import pytest
from django.test import Client

from assignments.tests.staff import make_rep
from leads.intake.tests.support import (  # noqa: F401 - catalogue_fixture is a fixture
    Catalogue,
    api_payload,
    catalogue_fixture,
    form_payload,
    table_counts,
)
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
SUBMIT = "/api/v1/submissions/"
LONG_LOCAL = "a" * 65 + "@example.com"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060"


def post_api(client: Client, **fields: object) -> object:
    return client.post(SUBMIT, api_payload(**fields), content_type="application/json")


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", LONG_LOCAL), ("name", ZERO_WIDTH), ("name", "A\u200b\u200b."), ("name", "\u202e\u202e")],
)
def test_it_refuses_in_the_api_and_writes_nothing(client: Client, field: str, value: str) -> None:
    before = table_counts()
    response = post_api(client, **{field: value})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert table_counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "a" * 64 + "@example.com"), ("name", "Li"), ("name", "李明"), ("name", "नमस्ते"), ("name", "O'Neil")],
)
def test_it_accepts_in_the_api(client: Client, field: str, value: str) -> None:
    assert post_api(client, **{field: value}).status_code == 201


def test_it_refuses_in_the_form_with_the_error_beside_the_field(client: Client, catalogue: Catalogue) -> None:
    response = client.post("/form/", form_payload(name=ZERO_WIDTH, email=LONG_LOCAL))
    assert response.status_code == 400
    form = response.context["form"]
    assert "at least two letters" in form.errors["name"][0]
    assert "before the @-sign" in form.errors["email"][0]
    assert not Lead.objects.exists()

    ok = client.post(
        "/form/", form_payload([(catalogue.tiles, "10 boxes", "")], name="Li Wei", email="a" * 64 + "@example.com")
    )
    assert ok.status_code == 302
    assert Lead.objects.count() == 1


def test_it_isolates_names_in_sentences_from_the_text_around_them(client: Client) -> None:
    rep = make_rep(username="asha")
    client.force_login(rep)
    lead = LeadFactory(name="\u202eevil", company="\u202eCo")

    page = client.get(f"/console/leads/{lead.id}/").content.decode()
    assert '<h1 dir="auto">\u202eevil</h1>' in page
    assert "<bdi>\u202eCo</bdi> ·" in page
    listing = client.get("/console/leads/").content.decode()
    assert "<bdi>\u202eevil</bdi>" in listing
