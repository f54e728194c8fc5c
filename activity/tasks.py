"""Jobs of the automation: thin wrappers around services, taking ids."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

from activity import services
from leadsys.queue import DEFAULT_RETRY, failure_recorded


@app.task(name="activity.triage_lead", queue="triage", retry=DEFAULT_RETRY, pass_context=True)
def triage_lead(context: procrastinate.JobContext, lead_id: str) -> None:
    with failure_recorded(context, job="triage_lead", lead_id=lead_id):
        services.lead_triage(lead_id=UUID(lead_id))
