"""The dashboard: seven labelled figures and server-side SVG charts, computed independently here."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from activity.corrections import ai_correct
from activity.tests.factories import AIResultFactory
from assignments.tests.factories import AssignmentFactory
from leads.console import charts
from leads.console.tests.overview_support import client_for, data_values, manager_client, outsider_client, rep_client
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/console/"


def test_it_sends_anonymous_users_to_the_login_page() -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_signed_in_users_who_are_not_sales_staff() -> None:
    assert outsider_client().get(URL).status_code == 403


def test_it_shows_the_seven_figures_with_labels() -> None:
    LeadFactory.create_batch(3)
    _, client = rep_client()
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in (
        "Total leads",
        "New leads today",
        "Follow-ups due",
        "Pending approvals",
        "SLA breaches",
        "Average response time",
        "Conversion rate",
    ):
        assert label in html
    total = Lead.objects.count()
    assert f'data-key="total_leads">\n      <dt>Total leads</dt><dd class="tile-value">{total}</dd>' in html


def test_it_shows_how_often_people_agree_with_the_ai() -> None:
    results = AIResultFactory.create_batch(4, metadata__intent="quote_request", metadata__priority="low")
    manager, client = manager_client()
    ai_correct(ai_result_id=results[0].id, actor_id=str(manager.id), priority="high")  # 3 of 4 priorities kept
    html = client.get(URL).content.decode()
    assert '<dt>Agreement with the AI</dt><dd class="tile-value">75%</dd>' in html
    assert "intent 100%, priority 75% of 4 analyses" in html


def test_it_charts_leads_per_day_by_source() -> None:
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    LeadFactory.create_batch(2, source="referral", created_at=now)
    LeadFactory(source="phone", created_at=now)
    LeadFactory(source="phone", created_at=now - timedelta(days=3))
    LeadFactory(source="phone", created_at=now - timedelta(days=45))  # outside the window
    _, client = manager_client()
    html = client.get(URL).content.decode()
    per_day = html[html.index("Leads per day") : html.index("SLA met vs missed")]
    day_totals = data_values(per_day, attribute="data-label", value_attribute="data-total")
    today = timezone.localtime(now, zone).strftime("%d %b")
    three_ago = timezone.localtime(now - timedelta(days=3), zone).strftime("%d %b")
    assert day_totals[today] == 3
    assert day_totals[three_ago] == 1
    assert len(day_totals) == 30
    assert sum(day_totals.values()) == 4
    assert "Referral: 2" in html and "Phone: 1" in html  # per-segment titles


def test_it_charts_sla_met_and_missed_per_week() -> None:
    now = timezone.now()
    # Completed within the 4-hour SLA, and one completed after its deadline.
    AssignmentFactory(assigned_at=now - timedelta(hours=2), completed=True)
    missed = AssignmentFactory(assigned_at=now - timedelta(hours=10), sla_deadline=now - timedelta(hours=9))
    type(missed).objects.filter(id=missed.id).update(status="completed", completed_at=now - timedelta(hours=1))
    _, client = manager_client()
    html = client.get(URL).content.decode()
    assert "Met: 1" in html and "Missed: 1" in html


def test_it_charts_open_leads_per_rep_and_escapes_names() -> None:
    AssignmentFactory.create_batch(3, owner_id="7", owner_name="Asha <script>alert(1)</script>")
    AssignmentFactory(owner_id="8", owner_name="Ravi")
    AssignmentFactory(owner_id="9", owner_name="Done", completed=True)
    _, client = manager_client()
    html = client.get(URL).content.decode()
    rows = data_values(html, attribute="data-label", value_attribute="data-value")
    assert rows["Asha <script>alert(1)</script>"] == 3
    assert rows["Ravi"] == 1
    assert "Done" not in rows
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_it_shows_empty_charts_as_a_message_not_an_empty_svg() -> None:
    _, client = manager_client()
    html = client.get(URL).content.decode()
    assert "No data for this period yet." in html
    assert "<svg" not in html


def test_it_scales_stacked_segments_to_a_round_axis() -> None:
    chart = charts.stacked_columns(
        title="t",
        labels=["a", "b"],
        series=[charts.Series("x", "#000"), charts.Series("y", "#fff")],
        values=[[3, 4], [0, 2]],
    )
    assert charts.nice_ceiling(7) == 10 and charts.nice_ceiling(11) == 20 and charts.nice_ceiling(0) == 1
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    first = chart.columns[0]
    assert [round(s.height, 1) for s in first.segments] == [round(3 / 10 * plot, 1), round(4 / 10 * plot, 1)]
    assert len(chart.columns[1].segments) == 1  # a zero value draws nothing
    assert [t.label for t in chart.ticks] == ["0", "5", "10"]
    assert [c.show_label for c in chart.columns] == [True, True]
    odd = charts.stacked_columns(title="t", labels=["a"], series=[charts.Series("x", "#000")], values=[[1]])
    assert [t.label for t in odd.ticks] == ["0", "1"]  # no "0.5" or repeated 0 on a tiny axis
