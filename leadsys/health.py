"""GET /health/: is the database answering, and the dashboard figures."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from leads.selectors import dashboard_stats


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    services = {"api": "operational", "database": "operational", "queue": "operational"}
    stats = None
    try:
        stats = dashboard_stats()
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
    except DatabaseError as exc:
        services["database"] = f"error: {exc.__class__.__name__}"
        services["queue"] = "unknown"
        # A broken connection must not poison the next request on this worker.
        connections["default"].close_if_unusable_or_obsolete()
        return JsonResponse({"status": "degraded", "services": services, "database_stats": None}, status=503)
    return JsonResponse({"status": "healthy", "services": services, "database_stats": stats})
