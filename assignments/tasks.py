"""Jobs of routing and the SLA clock: thin wrappers around services, taking ids."""

from __future__ import annotations

from uuid import UUID

import procrastinate
from procrastinate.contrib.django import app

from activity import followups
from assignments import services
from leadsys.queue import DEFAULT_RETRY, failure_recorded


@app.task(name="assignments.notify_manager_queue", queue="email", retry=DEFAULT_RETRY, pass_context=True)
def notify_manager_queue(context: procrastinate.JobContext, lead_id: str, event_id: str) -> None:
    with failure_recorded(context, job="notify_manager_queue", lead_id=lead_id):
        services.manager_queue_notify(lead_id=UUID(lead_id), event_id=UUID(event_id))


# queueing_lock: a slow scan never piles up a second one behind it.
@app.periodic(cron="* * * * *")
@app.task(name="assignments.sla_breach_scan", queue="periodic", queueing_lock="sla_breach_scan")
def sla_breach_scan(timestamp: int) -> None:
    services.sla_breach_scan()


@app.periodic(cron="*/5 * * * *")
@app.task(name="assignments.follow_up_reminders", queue="periodic", queueing_lock="follow_up_reminders")
def follow_up_reminders(timestamp: int) -> None:
    followups.follow_up_reminders_send()
