"""A job that gives up leaves an event: the lead's timeline says what failed and how often."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import procrastinate

from activity.services import activity_append
from leadsys.queue import DEFAULT_RETRY


@contextmanager
def failure_recorded(context: procrastinate.JobContext, *, job: str, lead_id: str) -> Iterator[None]:
    """Let the job fail (so it is retried); on its last attempt, leave an event.

    A job that exhausts its retries must not fail silently: the lead's
    timeline says what failed and how many times it was tried.
    """
    try:
        yield
    except Exception as exc:
        attempts = context.job.attempts if context.job else 0
        if attempts >= (DEFAULT_RETRY.max_attempts or 0):
            activity_append(
                lead_id=UUID(lead_id),
                type="job_failed",
                message=f"{job} failed after {attempts + 1} attempts: {exc.__class__.__name__}",
                metadata={"job": job, "attempts": attempts + 1, "error": f"{exc.__class__.__name__}: {exc}"[:2000]},
            )
        raise
