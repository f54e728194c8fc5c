"""Webhook emission and delivery.

webhook_emit() is called inside the transaction of the change it reports:
the delivery rows and their jobs commit or roll back with it, so nothing is
sent for a change that did not happen.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leads.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from leads.webhooks.signing import signature
from leadsys.exceptions import NotFound

RESPONSE_EXCERPT = 500


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; the job raises it so the queue retries."""


def webhook_emit(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Log one delivery per subscribed endpoint and defer its job, in the caller's transaction."""
    from leads.webhooks.tasks import deliver_webhook

    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True, paused_at__isnull=True, events__contains=[event]))
    if not endpoints:
        return []  # the common case on the intake path: one query, no savepoint
    deliveries = []
    with transaction.atomic():
        for endpoint in endpoints:
            data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
            delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=data)
            deliver_webhook.defer(delivery_id=str(delivery.id))
            deliveries.append(delivery)
    return deliveries


def delivery_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def webhook_deliver(*, delivery_id: UUID) -> WebhookDelivery | None:
    """One attempt. Raises DeliveryFailed on a failure so the job is retried (idempotent once succeeded)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(id=delivery_id).first()
    if delivery is None:
        return None  # its endpoint was deleted meanwhile: nothing left to send
    endpoint = delivery.endpoint
    if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.SKIPPED):
        return delivery
    if endpoint.paused_at or not endpoint.is_active:
        WebhookDelivery.objects.filter(id=delivery.id).update(status=DeliveryStatus.SKIPPED)
        delivery.refresh_from_db()
        return delivery
    # The HTTP call happens outside any transaction: a slow receiver holds no lock.
    status_code, error = _post(endpoint=endpoint, delivery=delivery)
    with transaction.atomic():
        now = timezone.now()
        ok = status_code is not None and 200 <= status_code < 300
        WebhookDelivery.objects.filter(id=delivery.id).update(
            attempts=F("attempts") + 1,
            response_status=status_code,
            last_attempt_at=now,
            last_error="" if ok else error[:RESPONSE_EXCERPT],
            status=DeliveryStatus.SUCCEEDED if ok else DeliveryStatus.FAILED,
            delivered_at=now if ok else None,
        )
        if ok:
            WebhookEndpoint.objects.filter(id=endpoint.id).update(consecutive_failures=0)
        else:
            _count_failure(endpoint_id=endpoint.id, now=now)
    delivery.refresh_from_db()
    if not ok:
        raise DeliveryFailed(f"{endpoint.url}: {error}")
    return delivery


def _count_failure(*, endpoint_id: int, now: Any) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint_id)
    endpoint.consecutive_failures += 1
    if endpoint.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES and endpoint.paused_at is None:
        endpoint.paused_at = now
    endpoint.save(update_fields=["consecutive_failures", "paused_at"])


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery_body(delivery)
    timestamp = int(time.time())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "leadsys-webhooks/1",
            "Webhook-Id": str(delivery.id),
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}: {exc.read(RESPONSE_EXCERPT).decode(errors='replace')}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, f"{exc.__class__.__name__}: {exc}"


@transaction.atomic
def webhook_endpoint_resume(*, endpoint_id: int) -> WebhookEndpoint:
    """A person fixed the receiver: deliveries start again, the failure count from zero."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    endpoint.paused_at = None
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["paused_at", "consecutive_failures"])
    return endpoint
