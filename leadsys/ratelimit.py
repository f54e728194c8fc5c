"""A fixed-window rate limit kept in PostgreSQL, so every process shares it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

UPSERT_HIT = """
INSERT INTO rate_limit_buckets (bucket, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_buckets.hits + 1
RETURNING hits
"""


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, its last hop is the client; only trusted when configured.
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:45]


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=timezone.get_current_timezone())


def hit(*, bucket: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the bucket is within its limit."""
    if limit <= 0:
        return True
    start = _window_start(timezone.now(), window_seconds)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_HIT, [bucket[:200], start])
        (hits,) = cursor.fetchone()
    return hits <= limit


def intake_allowed(request: HttpRequest) -> bool:
    return hit(
        bucket=f"intake:{client_ip(request)}",
        limit=settings.INTAKE_RATE_LIMIT,
        window_seconds=settings.INTAKE_RATE_WINDOW_SECONDS,
    )


def purge_before(moment: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rate_limit_buckets WHERE window_start < %s", [moment - timedelta(seconds=1)])
        return cursor.rowcount


def seconds_to_next_window(window_seconds: int) -> int:
    """For Retry-After: when the current window ends and the count starts again."""
    now = timezone.now()
    return max(1, int((_window_start(now, window_seconds) + timedelta(seconds=window_seconds) - now).total_seconds()))
