"""A worker started cold runs every registered task, and puts back the jobs of a worker that died.

Real processes: `manage.py run_worker` against the test database, jobs
deferred here, a webhook receiver served on 127.0.0.1.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from procrastinate.contrib.django import app

from activity.tests.factories import ActivityFactory
from assignments.selectors import MANAGER_QUEUE_KIND
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leads.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from leads.webhooks.signing import new_secret
from leads.webhooks.tests.receiver import WebhookReceiver
from leadsys.testing.processes import database_url, queue_emptied, start_worker, stop, wait_for, worker_env

# serialized_rollback: this file's flush must not leave the content types a later serialized test restores.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _empty_queue(transactional_db: None) -> Iterator[None]:
    queue_emptied()  # a cold worker here must see only this test's jobs
    yield
    queue_emptied()  # and later tests, which read the queue, must not see them


def job_statuses(ids: list[int]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status FROM procrastinate_jobs WHERE id = ANY(%s)", [ids])
        return dict(cursor.fetchall())


def defer_by_name(name: str, **kwargs: Any) -> int:
    """One job under exactly this task name (an alias included), as a queued job from an older release would be."""
    job = app.tasks[name].configure().make_new_job(**kwargs).evolve(task_name=name)
    return app.job_manager.defer_job(job).id


def arguments_for_every_task(lead: Lead, delivery: WebhookDelivery) -> dict[str, dict[str, Any]]:
    queued = ActivityFactory(
        lead=lead,
        message="No rep can take this lead now",
        metadata={"kind": MANAGER_QUEUE_KIND, "reason": None, "candidates": []},
    )
    now = int(time.time())
    return {
        "activity.triage_lead": {"lead_id": str(lead.id)},
        "assignments.notify_manager_queue": {"lead_id": str(lead.id), "event_id": str(queued.id)},
        # An assignment that is no longer there: the job finds nothing to tell and succeeds.
        "assignments.notify_owner_assigned": {"lead_id": str(lead.id), "assignment_id": str(uuid.uuid4())},
        "assignments.sla_breach_scan": {"timestamp": now},
        "assignments.follow_up_reminders": {"timestamp": now},
        "leads.send_acknowledgement": {"lead_id": str(lead.id)},
        "leads.purge_intake_state": {"timestamp": now},
        "leads.webhooks.tasks.deliver_webhook": {"delivery_id": str(delivery.id)},
        "leadsys.retry_stalled_jobs": {"timestamp": now},
        "procrastinate.builtin_tasks.remove_old_jobs": {"max_hours": 24},
        "builtin:procrastinate.builtin_tasks.remove_old_jobs": {"max_hours": 24},
    }


def test_it_runs_one_job_of_every_registered_task_name_in_a_cold_worker(tmp_path: Path) -> None:
    app.perform_import_paths()
    lead = LeadFactory()
    with WebhookReceiver(200) as receiver:
        endpoint = WebhookEndpoint.objects.create(
            url=receiver.url, secret=new_secret(), events=["lead.created"], last_sequence=1
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, sequence=1, event="lead.created", payload={"lead_id": "x"}
        )
        arguments = arguments_for_every_task(lead, delivery)
        # A task added later without a job here fails this test: every name must be covered.
        assert set(arguments) == set(app.tasks), set(app.tasks) ^ set(arguments)
        ids = {name: defer_by_name(name, **kwargs) for name, kwargs in arguments.items()}

        # The worker starts after the jobs are queued: nothing in it has imported any task module yet.
        log = tmp_path / "worker.log"
        worker = start_worker(worker_env(database_url(connection.settings_dict)), log)
        try:
            done = {"succeeded", "failed"}
            try:
                wait_for(lambda: set(job_statuses(list(ids.values())).values()) <= done, timeout=60, what="jobs")
            except AssertionError:
                pass  # the assertion below names the jobs left
        finally:
            assert stop(worker) == 0, log.read_text()[-3000:]
        statuses = job_statuses(list(ids.values()))
        received = len(receiver.received)

    assert {name: statuses[job_id] for name, job_id in ids.items()} == dict.fromkeys(arguments, "succeeded")
    assert "TaskNotFound" not in log.read_text()
    assert received == 1
    assert WebhookDelivery.objects.get(id=delivery.id).status == DeliveryStatus.SUCCEEDED
    assert lead.activities.filter(type="ai_result").count() == 1
    assert lead.activities.filter(type="email", metadata__template="acknowledgement", status="completed").count() == 1
