"""The delivery job. Every worker imports this module at start (PROCRASTINATE_IMPORT_PATHS)."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

# 10 attempts, waiting 2, 4, 8 ... 512 seconds: about 17 minutes of retries.
WEBHOOK_RETRY = procrastinate.RetryStrategy(max_attempts=9, exponential_wait=2)


# The name is the implicit one it had before it was named: jobs already queued still run.
@app.task(name="leads.webhooks.tasks.deliver_webhook", queue="webhooks", retry=WEBHOOK_RETRY)
def deliver_webhook(delivery_id: str) -> None:
    from leads.webhooks.services import webhook_deliver

    webhook_deliver(delivery_id=UUID(delivery_id))
