"""get_lead_full() (one scan since leads/migrations/0021, read as its owner since 0023) returns what the previous definition returned, key for key."""

from __future__ import annotations

import importlib
import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activity.corrections import ai_correct
from activity.tests.factories import AIResultFactory, ApprovalFactory, FollowUpFactory
from assignments.models import AssignmentStatus
from assignments.tests.factories import AssignmentFactory
from leads.tests.factories import LeadFactory, LeadProductFactory
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db

PREVIOUS = importlib.import_module("leads.migrations.0021_lead_full_one_scan").PREVIOUS


def generated_leads(rng: random.Random) -> list:
    leads = []
    for _ in range(25):
        lead = LeadFactory(created_at=timezone.now() - timedelta(days=rng.randrange(10)))
        for _ in range(rng.randrange(3)):
            LeadProductFactory(lead=lead)
        for n in range(rng.randrange(3)):
            done = n < 1 and rng.random() < 0.5
            AssignmentFactory(
                lead=lead,
                assigned_at=timezone.now() - timedelta(hours=10 - n),
                status=AssignmentStatus.COMPLETED if done or n == 0 else AssignmentStatus.ACTIVE,
                completed_at=timezone.now() - timedelta(hours=9) if done or n == 0 else None,
            )
        for _ in range(rng.randrange(3)):
            ai = AIResultFactory(lead=lead, metadata__priority=rng.choice(("high", "low")))
            for _ in range(rng.randrange(3)):
                try:
                    ai_correct(
                        ai_result_id=ai.id, actor_id=str(rng.randrange(9)), priority=rng.choice(("medium", "high"))
                    )
                except DomainError:
                    pass
        for _ in range(rng.randrange(3)):
            FollowUpFactory(lead=lead, status=rng.choice(("pending", "completed")))
        if rng.random() < 0.4:
            ApprovalFactory(lead=lead)
        leads.append(lead)
    return leads


def document(sql_function: str, lead_id: object) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql_function}(%s)::text", [lead_id])  # name from this module
        return json.loads(cursor.fetchone()[0])


@pytest.mark.parametrize("seed", [1, 2])
def test_the_one_scan_document_equals_the_previous_one(seed: int) -> None:
    leads = generated_leads(random.Random(seed))
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'get_lead_full'")
        assert "unnest(ev.corrections)" in cursor.fetchone()[0]  # the one-scan body is installed
        cursor.execute(PREVIOUS.replace("FUNCTION get_lead_full(", "FUNCTION pg_temp.get_lead_full_previous("))
    corrected = 0
    for lead in leads:
        now, before = document("get_lead_full", lead.id), document("pg_temp.get_lead_full_previous", lead.id)
        assert now == before, lead.id
        corrected += "corrected_by" in (now["ai_analysis"] or {})
    assert corrected > 0  # the correction merge was exercised
    with connection.cursor() as cursor:
        cursor.execute("SELECT get_lead_full(gen_random_uuid())")
        assert cursor.fetchone() == (None,)
