"""Jobs of the sales workflow (triage and what follows, routing, the SLA clock): thin wrappers around services, taking ids."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

from activity.job_failures import failure_recorded
from assignments import followups, pipeline, services
from leadsys.queue import DEFAULT_RETRY


# The name predates the move of triage's follow-on to assignments: queued jobs still run.
@app.task(name="activity.triage_lead", queue="triage", retry=DEFAULT_RETRY, pass_context=True)
def triage_lead(context: procrastinate.JobContext, lead_id: str) -> None:
    with failure_recorded(context, job="triage_lead", lead_id=lead_id):
        pipeline.lead_triage(lead_id=UUID(lead_id))


@app.task(name="assignments.notify_manager_queue", queue="email", retry=DEFAULT_RETRY, pass_context=True)
def notify_manager_queue(context: procrastinate.JobContext, lead_id: str, event_id: str) -> None:
    with failure_recorded(context, job="notify_manager_queue", lead_id=lead_id):
        services.manager_queue_notify(lead_id=UUID(lead_id), event_id=UUID(event_id))


@app.task(name="assignments.notify_owner_assigned", queue="email", retry=DEFAULT_RETRY, pass_context=True)
def notify_owner_assigned(context: procrastinate.JobContext, lead_id: str, assignment_id: str) -> None:
    with failure_recorded(context, job="notify_owner_assigned", lead_id=lead_id):
        services.assignment_owner_notify(lead_id=UUID(lead_id), assignment_id=UUID(assignment_id))


# queueing_lock: a slow scan never piles up a second one behind it.
@app.periodic(cron="* * * * *")
@app.task(name="assignments.sla_breach_scan", queue="periodic", queueing_lock="sla_breach_scan")
def sla_breach_scan(timestamp: int) -> None:
    services.sla_breach_scan()


@app.periodic(cron="*/5 * * * *")
@app.task(name="assignments.follow_up_reminders", queue="periodic", queueing_lock="follow_up_reminders")
def follow_up_reminders(timestamp: int) -> None:
    followups.follow_up_reminders_send()
