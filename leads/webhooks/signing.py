"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", sent as `v1=<hex>`.

Signing the timestamp too lets a receiver refuse a replayed old delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signature_valid(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature (constant-time compare)."""
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=int(timestamp), body=body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
