"""Shared fixtures: the worker that runs queued jobs, and email capture."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _email_to_memory(settings: object) -> None:
    # Django's own test backend: mail.outbox holds what would have been sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
