"""Jobs of the intake: thin wrappers around services, taking ids."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

from activity.job_failures import failure_recorded
from leads.intake import services
from leadsys.queue import DEFAULT_RETRY


@app.task(name="leads.send_acknowledgement", queue="email", retry=DEFAULT_RETRY, pass_context=True)
def send_acknowledgement(context: procrastinate.JobContext, lead_id: str) -> None:
    with failure_recorded(context, job="send_acknowledgement", lead_id=lead_id):
        services.acknowledgement_send(lead_id=UUID(lead_id), attempt=context.job.attempts if context.job else 0)


@app.periodic(cron="17 * * * *")
@app.task(name="leads.purge_intake_state", queue="periodic", queueing_lock="purge_intake_state")
def purge_intake_state(timestamp: int) -> None:
    services.intake_state_purge()
    services.rejected_submission_purge()
