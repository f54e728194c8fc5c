"""The job queue: procrastinate on the same PostgreSQL as the data.

Jobs deferred inside a transaction commit or roll back with it, because the
Django connector defers through Django's own connection.
"""

from __future__ import annotations

import threading
from typing import Any

import procrastinate
import procrastinate.tasks
from django import db
from procrastinate.contrib.django import app

# Exponential backoff: 2, 4, 8, 16, 32... seconds between attempts.
DEFAULT_RETRY = procrastinate.RetryStrategy(max_attempts=6, exponential_wait=2)


def on_app_ready(ready_app: procrastinate.App) -> None:
    """Hook for procrastinate's Django app; nothing to configure yet."""


def defer_jobs(calls: list[tuple[procrastinate.tasks.Task, dict[str, Any]]]) -> None:
    """Queue several jobs in one statement, on Django's connection (so in its transaction)."""
    jobs = [task.configure().make_new_job(**kwargs) for task, kwargs in calls]
    app.job_manager.batch_defer_jobs(jobs=jobs)


def run_pending_jobs(*, queues: list[str] | None = None) -> None:
    """Run every job that is due now (on `queues`, or all), then return (tests and management commands).

    The worker runs its own asyncio loop, so it gets a thread of its own: the
    caller's thread may already have a loop running (Playwright's sync API does).
    """
    failures: list[BaseException] = []

    def work() -> None:
        try:
            worker_connector = app.connector.get_worker_connector()
            with app.replace_connector(worker_connector) as worker_app:
                worker_app.run_worker(queues=queues, wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as exc:  # re-raised in the caller's thread
            failures.append(exc)
        finally:
            db.connections.close_all()

    thread = threading.Thread(target=work, name="run_pending_jobs")
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
