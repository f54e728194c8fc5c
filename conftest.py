"""Shared fixtures: email capture, always-open business hours, and the browser (leadsys.testing)."""

from __future__ import annotations

import pytest

from leadsys.testing.browser import browser, new_page, page, playwright_session  # noqa: F401


@pytest.fixture(autouse=True)
def _email_to_memory(settings: object) -> None:
    # Django's own test backend: mail.outbox holds what would have been sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def always_open(settings: object) -> None:
    """Business hours around the clock, so SLA deadlines and schedules do not depend on when the test runs."""
    settings.BUSINESS_DAYS = list(range(7))
    settings.BUSINESS_HOURS = "00:00-24:00"
