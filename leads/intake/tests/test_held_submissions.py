"""Held submissions: kept under RLS, released through the normal intake (with its jobs), or discarded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client

from activity.models import ActivityType, LeadActivity
from assignments.tests.staff import make_manager, make_rep
from leads.intake.forms import started_token
from leads.intake.services import (
    ProductInterest,
    Submission,
    consent_now,
    held_submission_create,
    held_submission_discard,
    held_submission_release,
    lead_submit,
)
from leads.intake.tests.support import FORM_URL, form_payload, jobs_for, table_counts
from leads.models import HeldSubmission, Lead, LeadProduct, Product, ProductCategory
from leadsys.exceptions import Conflict, NotAllowed
from leadsys.queue import run_pending_jobs
from leadsys.roles import database_role

ACK_TASK = "leads.send_acknowledgement"
TRIAGE_TASK = "activity.triage_lead"


def a_submission(email: str = "meera.iyer@example.com") -> Submission:
    return Submission(
        name="Meera Iyer",
        email=email,
        phone="+919812345678",
        company="Iyer Studio",
        message="Wall panels for a cafe.",
        product_interests=(ProductInterest(category="Wall", product="Fluted Panels", quantity="300 sq ft"),),
        consent=consent_now(marketing_opt_in=True),
        ip_address="10.1.2.3",
    )


@pytest.mark.django_db
def test_it_releases_a_held_submission_into_a_lead_with_its_jobs_and_who_released_it() -> None:
    manager = make_manager(first_name="Nisha", last_name="Kapoor")
    held = held_submission_create(submission=a_submission(), reason="too_fast")
    before = table_counts()

    result = held_submission_release(held_id=held.id, actor=manager)

    lead = Lead.objects.get(id=result.lead_id)
    assert (lead.name, lead.email, lead.phone, lead.source, result.merged) == (
        "Meera Iyer",
        "meera.iyer@example.com",
        "+919812345678",
        "website_form",
        False,
    )
    assert [(p.category, p.product, p.quantity) for p in LeadProduct.objects.filter(lead=lead)] == [
        ("Wall", "Fluted Panels", "300 sq ft")
    ]
    consent = LeadActivity.objects.get(lead=lead, type=ActivityType.CONSENT)
    assert consent.metadata["marketing_opt_in"] is True and consent.metadata["ip_address"] == "10.1.2.3"
    # The same jobs as any new lead: triage and the acknowledgement.
    assert jobs_for(lead.id) == [(TRIAGE_TASK, "triage", "todo"), (ACK_TASK, "email", "todo")]
    released = LeadActivity.objects.get(lead=lead, type=ActivityType.NOTE, metadata__kind="held_release")
    assert released.message.startswith("Released from held submissions by Nisha Kapoor")
    assert (released.actor_type, released.actor_id) == ("user", str(manager.id))
    assert released.metadata["held_submission_id"] == str(held.id) and released.metadata["reason"] == "too_fast"
    held.refresh_from_db()
    assert (held.status, held.decided_by, held.lead_id) == ("released", manager, lead.id)
    assert held.decided_at is not None
    assert table_counts()["leads"] == before["leads"] + 1


@pytest.mark.django_db
def test_it_merges_a_release_into_todays_lead_from_the_same_email() -> None:
    existing = lead_submit(submission=a_submission()).lead_id
    held = held_submission_create(submission=a_submission(), reason="too_fast")

    result = held_submission_release(held_id=held.id, actor=make_manager())

    assert (result.lead_id, result.merged) == (existing, True)
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_it_discards_a_held_submission_keeping_only_the_decision() -> None:
    manager = make_manager()
    held = held_submission_create(submission=a_submission(), reason="unsigned")
    before = table_counts()

    held_submission_discard(held_id=held.id, actor=manager)

    held.refresh_from_db()
    assert (held.status, held.payload, held.ip_address, held.decided_by) == ("discarded", {}, None, manager)
    assert "meera" not in str(HeldSubmission.objects.values().get()).lower()  # nothing personal kept
    assert table_counts() == before  # no lead, no event, no job


@pytest.mark.django_db
def test_it_decides_a_held_submission_once_only() -> None:
    manager = make_manager()
    released = held_submission_create(submission=a_submission(), reason="too_fast")
    discarded = held_submission_create(submission=a_submission("other@example.com"), reason="too_fast")
    held_submission_release(held_id=released.id, actor=manager)
    held_submission_discard(held_id=discarded.id, actor=manager)

    for held_id in (released.id, discarded.id):
        for decide in (held_submission_release, held_submission_discard):
            with pytest.raises(Conflict):
                decide(held_id=held_id, actor=manager)
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_rep_releasing_or_discarding() -> None:
    rep = make_rep()
    held = held_submission_create(submission=a_submission(), reason="too_fast")

    for decide in (held_submission_release, held_submission_discard):
        with pytest.raises(NotAllowed):
            decide(held_id=held.id, actor=rep)

    held.refresh_from_db()
    assert held.status == "held" and held.payload["email"] == "meera.iyer@example.com"
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_it_lets_anon_insert_held_and_rejected_rows_but_read_or_change_none() -> None:
    held_submission_create(submission=a_submission(), reason="too_fast")  # written as anon
    for statement in (
        "SELECT count(*) FROM held_submissions",
        "SELECT count(*) FROM rejected_submissions",
        "UPDATE held_submissions SET status = 'released'",
        "DELETE FROM rejected_submissions",
    ):
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), database_role("anon"):
            connection.cursor().execute(statement)
    # Nor may anon slip in a row that looks already decided.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic(), database_role("anon"):
        HeldSubmission(reason="too_fast", status="released").save(force_insert=True)
    assert list(HeldSubmission.objects.values_list("status", flat=True)) == ["held"]


@pytest.fixture
def forget_jobs() -> Iterator[None]:
    """procrastinate's tables are not flushed between transactional tests: drop what we queued."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE args ? 'lead_id'")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_emails_nobody_for_a_held_form_until_a_manager_releases_it(forget_jobs: None) -> None:
    category = ProductCategory.objects.create(name="Held Test Walls")
    product = Product.objects.create(category=category, name="Held Test Panels")
    data = form_payload(products=[(product, "", "")], email="quick@example.com", started=started_token())
    assert Client().post(FORM_URL, data).status_code == 302
    held = HeldSubmission.objects.get()

    run_pending_jobs(queues=["email"])
    assert mail.outbox == []  # held: not acknowledged

    lead_id = held_submission_release(held_id=held.id, actor=make_manager()).lead_id
    run_pending_jobs(queues=["email"])

    assert [message.to for message in mail.outbox] == [["quick@example.com"]]
    assert LeadActivity.objects.filter(lead_id=lead_id, type=ActivityType.EMAIL, status="completed").count() == 1
