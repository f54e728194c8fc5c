"""The rep is told at once: each assignment defers one email to its owner, sent once, only while it is theirs."""

from __future__ import annotations

from typing import Any

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from activity.models import LeadActivity
from activity.tests.factories import AIResultFactory
from assignments import services
from assignments.models import Assignment
from assignments.tests.staff import make_manager, make_rep
from leads.tests.factories import LeadFactory, LeadProductFactory

pytestmark = pytest.mark.django_db


def routed(**lead_fields: Any) -> Assignment:
    lead = LeadFactory(**lead_fields)
    LeadProductFactory(lead=lead, product="Oak planks", category="Flooring")
    return services.lead_route(lead_id=lead.id, ai_result=AIResultFactory(lead=lead)).assignment


def test_routing_defers_one_notice_for_the_new_owner() -> None:
    make_rep()
    assignment = routed()
    job = ProcrastinateJob.objects.get(task_name="assignments.notify_owner_assigned")
    assert job.args == {"lead_id": str(assignment.lead_id), "assignment_id": str(assignment.id)}


def test_the_owner_is_emailed_once_with_the_deadline_and_a_link(mailoutbox: list, settings: Any) -> None:
    settings.SITE_URL = "https://leads.example.com"
    rep = make_rep(email="asha@example.com")
    assignment = routed(name="Karan Mehta", phone="+919845012345")

    first = services.assignment_owner_notify(lead_id=assignment.lead_id, assignment_id=assignment.id)
    again = services.assignment_owner_notify(lead_id=assignment.lead_id, assignment_id=assignment.id)

    assert first == [rep.email] and again == []
    (mail,) = mailoutbox
    assert mail.to == ["asha@example.com"] and "New lead for you: Karan Mehta" in mail.subject
    assert "+91 98450 12345" in mail.body and "Oak planks (Flooring)" in mail.body
    assert f"https://leads.example.com/console/leads/{assignment.lead_id}/" in mail.body
    event = LeadActivity.objects.get(lead_id=assignment.lead_id, type="email", metadata__template="assigned")
    assert event.metadata["to"] == "asha@example.com"


def test_a_reassigned_lead_emails_only_its_new_owner(mailoutbox: list) -> None:
    manager = make_manager()
    first_rep = make_rep(email="one@example.com")
    assignment = routed()
    other = make_rep(email="two@example.com")
    new = services.assignment_reassign(lead_id=assignment.lead_id, actor=manager, to_user=other)

    assert services.assignment_owner_notify(lead_id=assignment.lead_id, assignment_id=assignment.id) == []
    assert services.assignment_owner_notify(lead_id=new.lead_id, assignment_id=new.id) == [other.email]
    assert [m.to for m in mailoutbox] == [["two@example.com"]]
    assert first_rep.email not in {m.to[0] for m in mailoutbox}
