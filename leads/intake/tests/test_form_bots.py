"""The form's bot checks never discard a person: the stamp survives errors, doubt holds, honeypots are logged."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from leads.intake.forms import started_token
from leads.intake.services import rejected_submission_purge
from leads.intake.tests.support import (  # noqa: F401 - catalogue_fixture is a fixture
    FORM_URL,
    Catalogue,
    aged_started_token,
    catalogue_fixture,
    form_payload,
    table_counts,
)
from leads.models import HeldSubmission, Lead, RejectedSubmission

pytestmark = pytest.mark.django_db


def rendered_stamp(page: str) -> str:
    match = re.search(r'name="started" value="([^"]+)"', page)
    assert match, "the form carries its stamp"
    return match.group(1)


def test_it_keeps_the_first_stamp_so_a_quick_fix_of_a_typo_is_stored_as_a_lead(
    client: Client, catalogue: Catalogue, settings: Any
) -> None:
    settings.FORM_MIN_FILL_SECONDS = 3
    first_shown = aged_started_token(seconds_ago=4)  # the form was shown 4 s ago, then filled
    typo = form_payload(products=[(catalogue.tiles, "", "")], email="asha@example", started=first_shown)

    response = client.post(FORM_URL, typo)

    assert response.status_code == 400
    stamp = rendered_stamp(response.content.decode())
    assert stamp == first_shown  # not a fresh stamp: the clock did not restart
    # Fixed and sent again at once, well within FORM_MIN_FILL_SECONDS of the error page.
    fixed = client.post(FORM_URL, {**typo, "email": "asha@example.com", "started": stamp})
    assert fixed.status_code == 302
    assert list(Lead.objects.values_list("email", flat=True)) == ["asha@example.com"]
    assert not HeldSubmission.objects.exists()


@pytest.mark.parametrize("started", ["", "form:forged:xyz"])
def test_it_gives_a_form_without_a_stamp_of_ours_a_fresh_one_on_error(
    client: Client, catalogue: Catalogue, started: str
) -> None:
    data = form_payload(products=[(catalogue.tiles, "", "")], name="A", started=started)

    page = client.post(FORM_URL, data).content.decode()

    stamp = rendered_stamp(page)
    assert stamp != started and stamp.startswith("form:")


@pytest.mark.parametrize("traps", [{}, {"website": "http://spam.example"}], ids=["plain", "honeypot"])
def test_it_answers_an_empty_submit_in_under_the_fill_time_with_errors_never_thanks(
    client: Client, catalogue: Catalogue, traps: dict[str, str]
) -> None:
    before = table_counts()
    empty = {key: value for key, value in form_payload().items() if key.startswith("products-")}

    response = client.post(FORM_URL, {**empty, "started": started_token(), **traps})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Thank you" not in page
    assert table_counts() == before
    assert not HeldSubmission.objects.exists() and not RejectedSubmission.objects.exists()


@pytest.mark.parametrize(
    ("started", "reason"),
    [
        pytest.param("fresh", "too_fast", id="too-fast"),
        pytest.param("", "unsigned", id="missing"),
        pytest.param("form:forged:xyz", "unsigned", id="forged"),
    ],
)
def test_it_holds_a_valid_but_doubtful_submission_and_tells_the_sender_thank_you(
    client: Client, catalogue: Catalogue, started: str, reason: str
) -> None:
    token = started_token() if started == "fresh" else started
    before = table_counts()

    response = client.post(
        FORM_URL, form_payload(products=[(catalogue.tiles, "200 sq ft", "Matte")], started=token), follow=True
    )

    assert response.redirect_chain == [("/form/thank-you/", 302)]
    assert "<h1>Thank you!</h1>" in response.content.decode()  # a bot learns nothing
    # Not a lead: no lead row, no product, no event, no job (so no email, no triage, no routing).
    assert table_counts() == before
    assert mail.outbox == []
    held = HeldSubmission.objects.get()
    assert (held.reason, held.status, held.ip_address) == (reason, "held", "127.0.0.1")
    assert held.payload["email"] == "asha.verma@example.com"
    assert held.payload["phone"] == "+919876543210"  # validated and normalised, as a lead would be
    assert held.payload["product_interests"] == [
        {"category": "Test Floors", "product": "Oak Test Tiles", "quantity": "200 sq ft", "notes": "Matte"}
    ]
    assert held.payload["consent"]["privacy_notice_version"] == "2026-01"


def test_it_logs_a_honeypot_hit_as_rejected_and_stores_no_lead(client: Client, catalogue: Catalogue) -> None:
    before = table_counts()

    response = client.post(FORM_URL, form_payload(products=[(catalogue.tiles, "", "")], website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == "/form/thank-you/"
    assert table_counts() == before
    assert not HeldSubmission.objects.exists()
    rejected = RejectedSubmission.objects.get()
    assert (rejected.reason, rejected.email, rejected.trap_value, rejected.ip_address) == (
        "honeypot",
        "asha.verma@example.com",
        "http://spam.example",
        "127.0.0.1",
    )


def test_it_purges_rejected_submissions_past_their_retention_only(settings: Any) -> None:
    settings.REJECTED_SUBMISSION_RETENTION_DAYS = 30
    now = timezone.now()
    for email, age in {"old@example.com": timedelta(days=31), "recent@example.com": timedelta(days=29)}.items():
        RejectedSubmission.objects.create(email=email, created_at=now - age)

    assert rejected_submission_purge() == 1

    assert list(RejectedSubmission.objects.values_list("email", flat=True)) == ["recent@example.com"]


def test_it_purges_rejected_submissions_in_the_hourly_job(settings: Any) -> None:
    from leads.intake.tasks import purge_intake_state

    settings.REJECTED_SUBMISSION_RETENTION_DAYS = 1
    RejectedSubmission.objects.create(email="old@example.com", created_at=timezone.now() - timedelta(days=2))

    purge_intake_state(timestamp=0)

    assert not RejectedSubmission.objects.exists()
