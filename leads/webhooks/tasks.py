"""The delivery job. Every worker imports this module at start (PROCRASTINATE_IMPORT_PATHS)."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

# 10 attempts, waiting 2, 4, 8 ... 512 seconds: about 17 minutes of retries.
WEBHOOK_RETRY = procrastinate.RetryStrategy(max_attempts=9, exponential_wait=2)


# The name is the implicit one it had before it was named: jobs already queued still run.
# Deferred with the endpoint's lock (models.endpoint_lock), by services._defer() and by intake's SQL.
@app.task(name="leads.webhooks.tasks.deliver_webhook", queue="webhooks", retry=WEBHOOK_RETRY, pass_context=True)
def deliver_webhook(context: procrastinate.JobContext, delivery_id: str) -> None:
    from leads.webhooks.services import webhook_deliver

    # job.attempts counts the runs before this one; on the last, a failure pauses the
    # endpoint (its deliveries wait for Resume) rather than giving the delivery up.
    last_attempt = context.job.attempts >= (WEBHOOK_RETRY.max_attempts or 0)
    webhook_deliver(delivery_id=UUID(delivery_id), last_attempt=last_attempt)
