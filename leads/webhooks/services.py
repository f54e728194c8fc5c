"""Webhook emission and delivery.

webhook_emit() is called inside the transaction of the change it reports:
the delivery rows and their jobs commit or roll back with it, so nothing is
sent for a change that did not happen.

Nothing is lost, nothing overtakes: every event an endpoint subscribes to is
logged for it with the next sequence number, paused or not, and an endpoint's
deliveries go out strictly in that order. A delivery job sends the endpoint's
oldest undelivered delivery first, then the next, up to its own; jobs of one
endpoint share a procrastinate lock, so one runs at a time. A failure stops the
line (later deliveries wait behind it) and is retried; after
WEBHOOK_PAUSE_AFTER_FAILURES in a row, or when a job runs out of retries, the
endpoint is paused and its deliveries wait for Resume.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leads.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent, endpoint_lock
from leads.webhooks.signing import new_secret, signature_header
from leads.webhooks.tasks import deliver_webhook
from leadsys.exceptions import DomainError, NotFound

RESPONSE_EXCERPT = 500


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx; the job raises it so the queue retries."""


def webhook_emit(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Log one delivery per subscribed endpoint, in the caller's transaction; queue a job where not paused.

    intake_follow_on() (leads/migrations/0011) applies the same rule in SQL.
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    subscribed = WebhookEndpoint.objects.filter(is_active=True, events__contains=[event])
    if not subscribed.exists():
        return []  # the common case: one query, no savepoint
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    with transaction.atomic():
        # Locked in id order (as intake_follow_on() does) so two emitters never deadlock; held
        # to commit, so sequence numbers and job ids follow the order the changes committed in.
        endpoints = list(subscribed.select_for_update().order_by("id"))
        for endpoint in endpoints:
            endpoint.last_sequence += 1
        WebhookEndpoint.objects.bulk_update(endpoints, ["last_sequence"])
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, sequence=endpoint.last_sequence, event=event, payload=data)
            for endpoint in endpoints
        )
        for endpoint, delivery in zip(endpoints, deliveries, strict=True):
            if endpoint.paused_at is None:  # a paused endpoint's deliveries wait; Resume queues them
                _defer(delivery)
    return deliveries


def _defer(delivery: WebhookDelivery) -> None:
    deliver_webhook.configure(lock=endpoint_lock(delivery.endpoint_id)).defer(delivery_id=str(delivery.id))


def delivery_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.id),
        "event": delivery.event,
        "sequence": delivery.sequence,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def webhook_deliver(*, delivery_id: UUID, last_attempt: bool = False) -> WebhookDelivery | None:
    """Send the endpoint's waiting deliveries, oldest first, up to and including this one.

    Idempotent: a delivered one is never sent again. Raises DeliveryFailed when an
    attempt fails and the endpoint is not (now) paused, so the job is retried; on
    the job's `last_attempt` a failure pauses the endpoint instead of dropping the line.
    """
    delivery = WebhookDelivery.objects.filter(id=delivery_id).first()
    if delivery is None:
        return None  # its endpoint was deleted meanwhile: nothing left to send
    while True:
        endpoint = WebhookEndpoint.objects.get(id=delivery.endpoint_id)
        if endpoint.paused_at or not endpoint.is_active:
            break  # it waits, pending, for Resume
        head = (
            WebhookDelivery.objects.filter(endpoint=endpoint, sequence__lte=delivery.sequence)
            .exclude(status=DeliveryStatus.SUCCEEDED)
            .order_by("sequence")
            .first()
        )
        if head is None:
            break  # this one (and all before it) delivered
        if not _attempt(endpoint=endpoint, delivery=head, last_attempt=last_attempt):
            break  # failed, and the endpoint is paused now: the line waits for Resume
    delivery.refresh_from_db()
    return delivery


def _attempt(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery, last_attempt: bool) -> bool:
    # The HTTP call happens outside any transaction: a slow receiver holds no lock.
    status_code, error = _post(endpoint=endpoint, delivery=delivery)
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        now = timezone.now()
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
            return True
        paused = _count_failure(endpoint_id=endpoint.id, now=now, pause=last_attempt)
    if paused:
        return False
    raise DeliveryFailed(f"{endpoint.url}: {error}")


def _count_failure(*, endpoint_id: int, now: datetime, pause: bool) -> bool:
    """One more failure in a row; True when the endpoint is paused (now or already)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint_id)
    endpoint.consecutive_failures += 1
    if pause or endpoint.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES:
        endpoint.paused_at = endpoint.paused_at or now
    endpoint.save(update_fields=["consecutive_failures", "paused_at"])
    return endpoint.paused_at is not None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, not an instruction: following it would send the
    body (or a bodiless GET with its signature headers) to wherever it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery_body(delivery)
    timestamp = int(time.time())
    msg_id = str(delivery.id)
    signatures = signature_header(
        secrets_=endpoint.signing_secrets(now=timezone.now()), msg_id=msg_id, timestamp=timestamp, body=body
    )
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "leadsys-webhooks/2",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signatures,
        },
    )
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            location = exc.headers.get("Location") or "(no Location header)"
            return exc.code, f"HTTP {exc.code}: redirect to {location} not followed"
        return exc.code, f"HTTP {exc.code}: {exc.read(RESPONSE_EXCERPT).decode(errors='replace')}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, f"{exc.__class__.__name__}: {exc}"


@transaction.atomic
def webhook_endpoint_resume(*, endpoint_id: int) -> WebhookEndpoint:
    """A person fixed the receiver: the failure count starts from zero and the waiting deliveries go out.

    One job, for the newest waiting delivery, sends them all oldest first (webhook_deliver()).
    """
    endpoint = WebhookEndpoint.objects.select_for_update().filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    endpoint.paused_at = None
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["paused_at", "consecutive_failures"])
    newest = endpoint.deliveries.exclude(status=DeliveryStatus.SUCCEEDED).order_by("-sequence").first()
    if newest is not None:
        _defer(newest)
    return endpoint


@transaction.atomic
def webhook_endpoint_secret_rotate(*, endpoint_id: int, grace: timedelta, now: datetime) -> WebhookEndpoint:
    """A new secret signs from now on; the old one signs too until `now + grace` (none when grace is 0)."""
    if grace < timedelta(0):
        raise DomainError("The grace period cannot be negative.", code="invalid")
    endpoint = WebhookEndpoint.objects.select_for_update().filter(id=endpoint_id).first()
    if endpoint is None:
        raise DomainError("No such webhook endpoint.", code="not_found")
    endpoint.previous_secret = endpoint.secret if grace else ""
    endpoint.previous_secret_expires_at = now + grace if grace else None
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint
