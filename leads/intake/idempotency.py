"""Idempotency-Key for the submission API: a retry returns the first response.

The key row is claimed with INSERT ... ON CONFLICT DO NOTHING in the same
transaction as the intake, so a concurrent retry waits for the first request
to commit and then reads its stored response; if the first one rolled back,
the retry does the work itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from leads.models import IdempotencyKey
from leadsys.exceptions import DomainError

CLAIM_KEY = """
INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (%s, %s, %s, now())
ON CONFLICT (scope, key) DO NOTHING RETURNING id
"""


class KeyReused(DomainError):
    status_code = 422


def request_fingerprint(data: Any) -> str:
    # ensure_ascii: a lone surrogate (valid JSON escape, not UTF-8) must hash, not crash.
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    # Printable only: a NUL cannot be stored in PostgreSQL text.
    if not key or len(key) > 255 or not key.isprintable():
        raise DomainError("Idempotency-Key must be 1 to 255 printable characters.", code="invalid_idempotency_key")
    return key


@transaction.atomic
def run_once(
    *, scope: str, key: str, fingerprint: str, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any], bool]:
    """Return (status, body, replayed)."""
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    IdempotencyKey.objects.filter(scope=scope, key=key, created_at__lt=expired_before).delete()
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_KEY, [scope, key, fingerprint])
        claimed = cursor.fetchone()
    if not claimed:
        first = IdempotencyKey.objects.get(scope=scope, key=key)
        if first.request_hash != fingerprint:
            raise KeyReused(
                "This Idempotency-Key was already used with a different request body.", code="idempotency_key_reused"
            )
        return first.status_code or 200, first.response_body or {}, True
    status, body = work()
    IdempotencyKey.objects.filter(scope=scope, key=key).update(status_code=status, response_body=body)
    return status, body, False


def purge_expired() -> int:
    expired_before = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired_before).delete()
    return deleted
