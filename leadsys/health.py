"""GET /health/: is the database answering, is a worker alive, is the queue keeping up.

Anyone may ask whether the site is healthy; the answer names the failing
components and nothing else. The figures (dashboard counts, workers, queue
lag) are for staff who are logged in, or for a monitor sending the
HEALTH_TOKEN setting as a bearer token.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assignments.routing import is_staff_member
from leads.selectors import dashboard_stats

# Due `todo` jobs: scheduled for now or earlier, or never scheduled (due since deferred).
QUEUE_FIGURES = """
SELECT
    (SELECT count(*) FROM procrastinate_workers
      WHERE last_heartbeat > now() - make_interval(secs => %(alive_seconds)s)) AS workers_alive,
    (SELECT extract(epoch FROM now() - max(last_heartbeat)) FROM procrastinate_workers) AS last_heartbeat_age,
    count(*) AS due_jobs,
    coalesce(extract(epoch FROM now() - min(coalesce(
        job.scheduled_at,
        (SELECT min(event.at) FROM procrastinate_events event WHERE event.job_id = job.id)
    ))), 0) AS lag_seconds
FROM procrastinate_jobs job
WHERE job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
"""


def _bearer_only(request: HttpRequest) -> bool:
    """The monitor's token; needs no database, so it also works during an outage."""
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())


def _may_see_figures(request: HttpRequest) -> bool:
    if _bearer_only(request):
        return True
    user = request.user
    return bool(user.is_authenticated and (user.is_staff or is_staff_member(user)))


def _queue_figures() -> dict[str, Any]:
    with connections["default"].cursor() as cursor:
        cursor.execute(QUEUE_FIGURES, {"alive_seconds": settings.HEALTH_WORKER_ALIVE_SECONDS})
        workers_alive, heartbeat_age, due_jobs, lag = cursor.fetchone()
    return {
        "workers_alive": workers_alive,
        "last_heartbeat_seconds_ago": None if heartbeat_age is None else round(float(heartbeat_age), 1),
        "due_jobs": due_jobs,
        "lag_seconds": round(float(lag), 1),
    }


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    services = {"api": "operational", "database": "operational", "worker": "operational", "queue": "operational"}
    stats: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None
    try:
        privileged = _may_see_figures(request)  # the session and user live in the database too
        queue = _queue_figures()
        stats = dashboard_stats() if privileged else None
    except DatabaseError as exc:
        privileged = _bearer_only(request)
        services.update(database=f"error: {exc.__class__.__name__}", worker="unknown", queue="unknown")
        # A broken connection must not poison the next request on this worker.
        connections["default"].close_if_unusable_or_obsolete()
    else:
        if queue["workers_alive"] == 0:
            services["worker"] = f"error: no heartbeat in {settings.HEALTH_WORKER_ALIVE_SECONDS} s"
        if queue["lag_seconds"] > settings.QUEUE_LAG_DEGRADED_SECONDS:
            services["queue"] = f"error: lagging over {settings.QUEUE_LAG_DEGRADED_SECONDS} s"
    failing = sorted(name for name, state in services.items() if state != "operational")
    status = "degraded" if failing else "healthy"
    body: dict[str, Any] = {"status": status, "failing": failing}
    if privileged:
        body.update(services=services, database_stats=stats, queue=queue)
    return JsonResponse(body, status=503 if failing else 200)
