"""The job queue: procrastinate on the same PostgreSQL as the data.

Jobs deferred inside a transaction commit or roll back with it, because the
Django connector defers through Django's own connection.
"""

from __future__ import annotations

import procrastinate
from procrastinate.contrib.django import app

# Exponential backoff: 2, 4, 8, 16, 32... seconds between attempts.
DEFAULT_RETRY = procrastinate.RetryStrategy(max_attempts=6, exponential_wait=2)


def on_app_ready(ready_app: procrastinate.App) -> None:
    """Hook for procrastinate's Django app; nothing to configure yet."""


def run_pending_jobs() -> None:
    """Run every job that is due now, then return (tests and management commands)."""
    worker_connector = app.connector.get_worker_connector()
    with app.replace_connector(worker_connector) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
