"""Jobs of the queue itself."""

from __future__ import annotations

import procrastinate
from procrastinate.contrib.django import app

from leadsys.worker import stalled_jobs_retry


# Every minute: a job whose worker died (kill -9, a lost machine) runs again instead of staying `doing`.
@app.periodic(cron="* * * * *")
@app.task(name="leadsys.retry_stalled_jobs", queue="periodic", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    return len(await stalled_jobs_retry(context.app))
