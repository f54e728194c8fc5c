"""The Django admin over leads, events and assignments: read-only where it must be, and no full counts."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments.models import Assignment
from assignments.tests.factories import AssignmentFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory, LeadProductFactory
from leadsys.admin_paging import EXACT_COUNT_LIMIT, EstimatedCountPaginator

pytestmark = pytest.mark.django_db

FULL_COUNT = re.compile(r'SELECT COUNT\(\*\) AS "__count" FROM "(leads|lead_activity|assignments)"\s*$')


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "not-used-7731"))
    return client


def test_the_lead_change_list_searches_with_the_shared_search(admin: Client) -> None:
    meera = LeadFactory(name="Meera Iyer", company="Iyer Studio")
    LeadFactory(name="Someone Else")

    with CaptureQueriesContext(connection) as queries:
        response = admin.get("/admin/leads/lead/", {"q": "iyer stu"})

    assert response.status_code == 200
    assert [lead.id for lead in response.context["cl"].result_list] == [meera.id]
    assert not [q["sql"] for q in queries if FULL_COUNT.search(q["sql"])]
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"]]  # no filter lists built from the table


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/admin/leads/lead/", LeadFactory),
        ("/admin/activity/leadactivity/", AIResultFactory),
        ("/admin/assignments/assignment/", AssignmentFactory),
    ],
)
def test_no_change_list_counts_the_whole_table(admin: Client, path: str, make: type) -> None:
    make()

    with CaptureQueriesContext(connection) as queries:
        response = admin.get(path)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1
    full_counts = [q["sql"] for q in queries if FULL_COUNT.search(q["sql"])]
    assert full_counts == []


def test_the_lead_filters_are_fixed_lists(admin: Client) -> None:
    architect = LeadFactory(role="Architect", source="referral")
    LeadFactory(role="Builder", source="referral")

    response = admin.get("/admin/leads/lead/", {"role": "Architect", "source": "referral"})

    assert [lead.id for lead in response.context["cl"].result_list] == [architect.id]


def test_the_lead_page_shows_products_assignments_and_events_read_only(admin: Client) -> None:
    lead = LeadFactory(name="<script>alert(1)</script>", message='<img src=x onerror="alert(2)">')
    LeadProductFactory(lead=lead, product="Oak Plank")
    AssignmentFactory(lead=lead, owner_name="Rita Rep")
    AIResultFactory(lead=lead)

    response = admin.get(f"/admin/leads/lead/{lead.id}/change/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Oak Plank" in html and "Rita Rep" in html and "ai_result" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src=x onerror="alert(2)">' not in html
    # Nothing on the page can change the lead or its events.
    assert 'name="_save"' not in html
    post = admin.post(f"/admin/leads/lead/{lead.id}/change/", {"name": "Changed"})
    assert post.status_code == 403
    assert Lead.objects.get(id=lead.id).name == "<script>alert(1)</script>"


def test_events_and_assignments_cannot_be_changed_or_deleted_in_the_admin(admin: Client) -> None:
    event = AIResultFactory()
    assignment = AssignmentFactory()

    for path in (
        f"/admin/activity/leadactivity/{event.id}/delete/",
        f"/admin/assignments/assignment/{assignment.id}/delete/",
    ):
        assert admin.post(path, {"post": "yes"}).status_code == 403
    assert admin.get("/admin/assignments/assignment/add/").status_code == 403
    assert LeadActivity.objects.filter(id=event.id).exists()
    assert Assignment.objects.filter(id=assignment.id).exists()


def test_the_paginator_counts_exactly_up_to_the_limit_then_estimates() -> None:
    LeadFactory.create_batch(3)
    assert EstimatedCountPaginator(Lead.objects.order_by("-created_at"), 2).count == 3

    total = EXACT_COUNT_LIMIT + 2_000
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO leads (id, created_at, updated_at, name, email, source, status)"
            " SELECT gen_random_uuid(), now(), now(), 'Bulk ' || g, 'bulk' || g || '@example.com', 'website_form',"
            " CASE WHEN g %% 2 = 0 THEN 'new' ELSE 'contacted' END FROM generate_series(1, %s) g",
            [total - 3],
        )
        cursor.execute("ANALYZE leads")

    everything = EstimatedCountPaginator(Lead.objects.order_by("-created_at"), 100).count
    half = EstimatedCountPaginator(Lead.objects.filter(status="contacted").order_by("-created_at"), 100).count
    assert everything > EXACT_COUNT_LIMIT and abs(everything - total) <= total * 0.05
    # Under the limit: exact, whatever the estimate says.
    assert EstimatedCountPaginator(Lead.objects.filter(name="Bulk 7"), 100).count == 1
    true_half = Lead.objects.filter(status="contacted").count()
    assert true_half > EXACT_COUNT_LIMIT / 2
    assert half == true_half if true_half <= EXACT_COUNT_LIMIT else abs(half - true_half) <= true_half * 0.2


@pytest.mark.parametrize(
    "path",
    [
        "/admin/leads/lead/",
        "/admin/leads/productcategory/",
        "/admin/leads/product/",
        "/admin/leads/idempotencykey/",
        "/admin/leads/ratelimitbucket/",
        "/admin/leads/webhookendpoint/",
        "/admin/leads/webhookdelivery/",
        "/admin/activity/leadactivity/",
        "/admin/assignments/assignment/",
        "/admin/assignments/repprofile/",
        "/admin/authtoken/tokenproxy/",
    ],
)
def test_every_change_list_opens(admin: Client, path: str) -> None:
    assert admin.get(path).status_code == 200


def test_it_caps_offset_paging_and_says_to_filter_instead(admin: Client, settings: object) -> None:
    from django.db import connection

    from leads.tests.factories import LeadFactory
    from leadsys import admin_paging

    Lead.objects.bulk_create(LeadFactory.build_batch(admin_paging.MAX_PAGES + 10))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads")
    paginator = admin_paging.EstimatedCountPaginator(Lead.objects.order_by("id"), 1)

    assert paginator.num_pages == admin_paging.MAX_PAGES
    assert paginator.validate_number(admin_paging.MAX_PAGES + 500) == admin_paging.MAX_PAGES
    response = admin.get("/admin/leads/lead/", {"p": str(admin_paging.MAX_PAGES + 1)})
    assert response.status_code == 200
    assert "filter or search" in response.content.decode()
    assert admin.get("/admin/leads/lead/", {"p": "2"}).status_code == 200
