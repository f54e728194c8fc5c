"""Idempotency-Keys and rate-limit counters are forgotten once they can no longer matter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from procrastinate.contrib.django import app

from leads.intake.services import intake_state_purge
from leads.models import IdempotencyKey, RateLimitBucket

pytestmark = pytest.mark.django_db


def test_it_purges_expired_keys_and_finished_windows_only(settings: Any) -> None:
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    settings.INTAKE_RATE_WINDOW_SECONDS = 600
    now = timezone.now()
    for key, age in {"expired": timedelta(hours=25), "alive": timedelta(hours=23)}.items():
        IdempotencyKey.objects.create(scope="anon", key=key, request_hash="0" * 64, created_at=now - age)
    for bucket, age in {"old": timedelta(minutes=30), "current": timedelta(minutes=1)}.items():
        RateLimitBucket.objects.create(bucket=f"intake:{bucket}", window_start=now - age, hits=3)

    assert intake_state_purge() == (1, 1)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["alive"]
    assert list(RateLimitBucket.objects.values_list("bucket", flat=True)) == ["intake:current"]


def test_it_schedules_the_purge_every_hour() -> None:
    import leads.intake.tasks  # noqa: F401 - registers the task with the app

    (periodic,) = [
        p for (name, _), p in app.periodic_registry.periodic_tasks.items() if name == "leads.purge_intake_state"
    ]
    assert periodic.cron == "17 * * * *"
