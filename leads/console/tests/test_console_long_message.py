"""A long message (a pasted tender text) on the lead page and in the CSV export: whole, escaped, out of the way."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.test import Client
from django.urls import reverse

from assignments.tests.staff import make_rep
from leads.console.lead.page import MESSAGE_PREVIEW_CHARS
from leads.console.tests.support import routed_lead

pytestmark = pytest.mark.django_db

# 50,000 characters with markup in it: shown as text, never run.
TENDER = ("Clause 4: <b>bold</b> & <script>alert(1)</script> supply 12,000 sq ft.\n" * 800)[:50_000]


def lead_page(client: Client, message: str) -> str:
    rep = make_rep()
    lead = routed_lead(rep, message=message)
    client.force_login(rep)
    response = client.get(reverse("console:lead", kwargs={"lead_id": lead.id}))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_a_long_message_collapsed_behind_show_all(client: Client) -> None:
    page = lead_page(client, TENDER)

    assert '<details class="lead-message-all">' in page
    assert "<summary>Show all (50,000 characters)</summary>" in page
    preview = page.split('class="lead-message lead-message-preview"', 1)[1].split("</blockquote>", 1)[0]
    assert len(html.unescape(preview)) < MESSAGE_PREVIEW_CHARS + 200 and preview.rstrip().endswith("…")
    whole = page.split('class="lead-message lead-message-long"', 1)[1].split("</blockquote>", 1)[0]
    assert html.unescape(whole.split(">", 1)[1].replace("<br>", "")) == TENDER.replace("\n", "")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_shows_a_short_message_as_it_is(client: Client) -> None:
    page = lead_page(client, "Need <i>oak</i> flooring.")

    assert '<blockquote class="lead-message" dir="auto">Need &lt;i&gt;oak&lt;/i&gt; flooring.</blockquote>' in page
    assert "Show all" not in page


def test_it_exports_a_long_message_whole(client: Client) -> None:
    rep = make_rep()
    lead = routed_lead(rep, message=TENDER)
    client.force_login(rep)

    response = client.get("/console/leads/export.csv")

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text.rsplit("# complete", 1)[0])))
    assert [row["Message"] for row in rows if row["Lead ID"] == str(lead.id)] == [TENDER]
