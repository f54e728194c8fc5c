"""Demo data is history, not news: seeding sets off no SLA-missed or follow-up-due email for its own backdated leads."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.models import LeadActivity
from assignments import followups, services
from assignments.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings: object) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_first_scan_and_reminder_run_after_seeding_email_nobody(mailoutbox: list) -> None:
    call_command("seed_demo", "--leads", "300", verbosity=0)
    overdue = Assignment.objects.filter(status="active", sla_deadline__lt=timezone.now())
    assert overdue.exists()  # the demo does have overdue leads, as a real team would

    assert services.sla_breach_scan() == []
    assert followups.follow_up_reminders_send() == []
    assert mailoutbox == []
    # Each overdue assignment carries its breach as history: the dashboard's 30-day figure is not empty.
    breached = set(LeadActivity.objects.filter(type="sla_breach").values_list("metadata__assignment_id", flat=True))
    assert {str(a.id) for a in overdue} <= breached
