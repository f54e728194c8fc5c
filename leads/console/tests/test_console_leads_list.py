"""The leads list: filters, search, keyset pages, and the streamed CSV of the filtered set."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from activity.tests.factories import ActivityFactory, AIResultFactory
from assignments.tests.factories import AssignmentFactory
from leads import labels
from leads.console.tests.overview_support import client_for, outsider_client, rep_client
from leads.models import Lead, ProductCategory
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db
URL = "/console/leads/"
CSV_URL = "/console/leads/export.csv"


def _listed(client: object, **params: str) -> set[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return set(re.findall(r'data-lead="([0-9a-f-]+)"', response.content.decode()))


def _csv(client: object, **params: str) -> list[dict[str, str]]:
    response = client.get(CSV_URL, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    body, _, trailer = text.rstrip("\n").rpartition("\n")
    rows = list(csv.DictReader(io.StringIO(body + "\n")))
    assert trailer == f"# complete: {len(rows)} rows"  # a complete file says so, with its count
    return rows


def _with_priority(lead: Lead, priority: str) -> None:
    metadata = {
        "intent": "quote_request",
        "lead_type": "builder",
        "priority": priority,
        "suggested_action": "call_today",
        "reasoning": "r",
        "model": "rules",
        "prompt_version": "v1",
    }
    AIResultFactory(lead=lead, metadata=metadata)


def test_it_sends_anonymous_users_to_login_and_refuses_outsiders() -> None:
    assert client_for(None).get(URL).status_code == 302
    assert client_for(None).get(CSV_URL).status_code == 302
    assert outsider_client().get(URL).status_code == 403
    assert outsider_client().get(CSV_URL).status_code == 403


def test_it_filters_by_status_source_owner_and_category() -> None:
    ProductCategory.objects.get_or_create(name="Lighting")
    a = LeadFactory(status="contacted", source="referral")
    b = LeadFactory(status="new", source="referral")
    c = LeadFactory(status="new", source="phone")
    AssignmentFactory(lead=a, owner_id="41")
    LeadProductFactory(lead=c, category="Lighting")
    rep, client = rep_client()
    AssignmentFactory(lead=b, owner_id=str(rep.id))
    assert _listed(client, status="contacted") == {str(a.id)}
    assert _listed(client, source="referral") == {str(a.id), str(b.id)}
    assert _listed(client, owner=str(rep.id)) == {str(b.id)}
    assert _listed(client, owner="none") == {str(c.id)}
    assert _listed(client, category="Lighting") == {str(c.id)}
    assert _listed(client, status="new", source="phone") == {str(c.id)}


def test_it_filters_by_current_priority_including_a_correction() -> None:
    high, low, corrected = LeadFactory(), LeadFactory(), LeadFactory()
    _with_priority(high, "high")
    _with_priority(low, "low")
    _with_priority(corrected, "low")
    ai = corrected.activities.get(type="ai_result")
    ActivityFactory(lead=corrected, type="ai_correction", metadata={"overrides": str(ai.id), "priority": "high"})
    _, client = rep_client()
    assert _listed(client, priority="high") == {str(high.id), str(corrected.id)}
    assert _listed(client, priority="low") == {str(low.id)}


def test_it_searches_name_email_phone_and_company() -> None:
    lead = LeadFactory(name="Meera Iyer", email="meera@studio.example", phone="+919812345678", company="Iyer Studio")
    LeadFactory(name="Someone Else", company="Other Co")
    _, client = rep_client()
    for q in ("meera iyer", "STUDIO.example", "98123", "iyer stu"):
        assert _listed(client, q=q) == {str(lead.id)}, q


def test_it_filters_by_business_date_range() -> None:
    now = timezone.now()
    old = LeadFactory(created_at=now - timedelta(days=10))
    recent = LeadFactory(created_at=now)
    _, client = rep_client()
    today = timezone.localdate(now).isoformat()
    assert _listed(client, created_from=today) == {str(recent.id)}
    assert _listed(client, created_to=(timezone.localdate(now) - timedelta(days=5)).isoformat()) == {str(old.id)}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"created_from": "2024-02-30"}, "Enter a valid date."),
        ({"created_from": "2024-03-02", "created_to": "2024-03-01"}, "The end date is before the start date."),
        ({"status": "sleeping"}, "Select a valid choice."),
        ({"after": "garbage"}, "This page link is not valid"),
        ({"q": "x" * 101}, "at most 100 characters"),
        ({"owner": "999999"}, "Select a valid choice."),
        ({"owner": "x" * 300}, "Select a valid choice."),
    ],
)
def test_it_refuses_bad_filters_with_a_clear_400(params: dict, message: str) -> None:
    LeadFactory()
    _, client = rep_client()
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(CSV_URL, params).status_code == 400


def test_it_pages_by_keyset_through_every_lead_once() -> None:
    now = timezone.now()
    ids = {str(LeadFactory(created_at=now - timedelta(minutes=i % 7)).id) for i in range(120)}  # ties on time
    _, client = rep_client()
    seen: list[str] = []
    url = URL + "?status=new"
    for _ in range(5):
        html = client.get(url).content.decode()
        seen += re.findall(r'data-lead="([0-9a-f-]+)"', html)
        found = re.search(r'href="\?([^"]*after=[^"]+)">Next page', html)
        if not found:
            break
        url = URL + "?" + found.group(1).replace("&amp;", "&")
    assert len(seen) == 120 and set(seen) == ids


def test_it_says_when_nothing_matches() -> None:
    _, client = rep_client()
    assert "No leads match these filters." in client.get(URL, {"q": "nobody"}).content.decode()


def test_it_exports_the_filtered_set_as_streamed_csv() -> None:
    wanted = LeadFactory(source="partner", name='=HYPERLINK("http://x")', phone="+919800000000", message="line1\nline2")
    LeadProductFactory(lead=wanted, category="Flooring")
    LeadProductFactory(lead=wanted, category="Wall")
    AssignmentFactory(lead=wanted, owner_id="5", owner_name="Asha Rao")
    _with_priority(wanted, "medium")
    LeadFactory(source="phone")
    _, client = rep_client()
    rows = _csv(client, source="partner")
    assert len(rows) == 1
    row = rows[0]
    assert row["Lead ID"] == str(wanted.id) and row["Email"] == wanted.email
    assert row["Name"] == '\'=HYPERLINK("http://x")'  # no formula runs in a spreadsheet
    assert row["Phone"] == "+919800000000"  # as stored, in E.164: what other systems import
    assert row["Owner"] == "Asha Rao" and row["Priority"] == "Medium" and row["Source"] == "Partner"
    assert row["Product categories"] == "Flooring, Wall" and row["Message"] == "line1\nline2"
    assert len(_csv(client)) == Lead.objects.count()


def test_the_csv_written_by_the_database_follows_the_display_layer_and_stays_spreadsheet_safe() -> None:
    """The export's SQL quoting and labels are the Python rules' (leads.labels), value for value."""
    lead = LeadFactory(
        source="partner", company="-1+2 Traders", location="@home", phone="+919800000000", role="Architect"
    )
    _with_priority(lead, "low")
    _, client = rep_client()

    (row,) = _csv(client, source="partner")

    assert row["Company"] == "'-1+2 Traders" and row["Location"] == "'@home"  # no formula runs
    assert row["Phone"] == "+919800000000"  # a plain number keeps its plus
    assert row["Priority"] == labels.label("priority", "low") == "Low"
    assert row["Source"] == labels.label("source", "partner") and row["Role"] == "Architect"
    created = datetime.fromisoformat(row["Received"])  # ISO 8601 in the business time zone
    assert created == lead.created_at and created.utcoffset() == timezone.localtime(lead.created_at).utcoffset()


def test_it_keeps_the_rep_who_responded_as_owner_in_the_list_the_filter_and_the_csv() -> None:
    rep, client = rep_client()
    responded = LeadFactory(source="partner")
    AssignmentFactory(lead=responded, owner_id=str(rep.id), owner_name="Asha Rao", completed=True)
    moved = LeadFactory(source="partner")
    AssignmentFactory(lead=moved, owner_id=str(rep.id), owner_name="Asha Rao", status="reassigned")
    AssignmentFactory(lead=moved, owner_id="77", owner_name="Vikram Iyer")

    assert _listed(client, owner=str(rep.id)) == {str(responded.id)}
    assert str(responded.id) not in _listed(client, owner="none")
    page = client.get(URL, {"source": "partner"}).content.decode()
    assert "Asha Rao" in page and "Vikram Iyer" in page
    owners = {row["Lead ID"]: row["Owner"] for row in _csv(client, source="partner")}
    assert owners == {str(responded.id): "Asha Rao", str(moved.id): "Vikram Iyer"}
