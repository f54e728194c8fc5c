"""Secret rotation (both secrets sign during the grace period) and the migration of old-scheme secrets,
checked with the standardwebhooks library against real deliveries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from leads.webhooks.models import WebhookEndpoint
from leads.webhooks.services import webhook_deliver, webhook_emit, webhook_endpoint_secret_rotate
from leads.webhooks.signing import secret_key
from leads.webhooks.tests.receiver import WebhookReceiver
from leadsys.exceptions import DomainError

pytestmark = pytest.mark.django_db

migration = importlib.import_module("leads.migrations.0012_standard_webhooks")


def deliver_one() -> None:
    [delivery] = webhook_emit("lead.created", {"lead_id": "x"})
    webhook_deliver(delivery_id=delivery.id)


def test_it_signs_with_both_secrets_during_the_grace_period_and_only_the_new_one_after() -> None:
    with WebhookReceiver(200) as receiver:
        hook = WebhookEndpoint.objects.create(url=receiver.url, events=["lead.created"])
        old = hook.secret
        deliver_one()
        hook = webhook_endpoint_secret_rotate(endpoint_id=hook.id, grace=timedelta(hours=1), now=timezone.now())
        deliver_one()
        # The grace period ends (as if an hour had passed).
        WebhookEndpoint.objects.filter(id=hook.id).update(previous_secret_expires_at=timezone.now())
        deliver_one()

    before, during, after = receiver.received
    assert len(before.headers["webhook-signature"].split(" ")) == 1
    Webhook(old).verify(before.body, before.headers)
    # During the grace period: two signatures, the new secret's first; a receiver with either accepts.
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)
    Webhook(hook.secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(hook.secret).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_it_rotates_without_overlap_when_the_grace_period_is_zero() -> None:
    hook = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/x", events=["lead.created"])
    old = hook.secret

    rotated = webhook_endpoint_secret_rotate(endpoint_id=hook.id, grace=timedelta(0), now=timezone.now())

    assert rotated.secret != old
    assert rotated.signing_secrets(now=timezone.now()) == [rotated.secret]
    with pytest.raises(DomainError):
        webhook_endpoint_secret_rotate(endpoint_id=hook.id, grace=timedelta(hours=-1), now=timezone.now())
    with pytest.raises(DomainError):
        webhook_endpoint_secret_rotate(endpoint_id=0, grace=timedelta(hours=1), now=timezone.now())
    hook.refresh_from_db()
    assert hook.secret == rotated.secret


def test_the_migration_keeps_an_old_secrets_key_so_the_receiver_keeps_it_too() -> None:
    legacy = "0c1d2e3f" * 8  # the old default: 64 hex characters, used as the HMAC key as they are
    converted = migration.legacy_secret_to_standard(legacy)

    assert converted.startswith("whsec_") and secret_key(converted) == legacy.encode()
    assert migration.standard_secret_to_legacy(converted) == legacy
    with WebhookReceiver(200) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=converted, events=["lead.created"])
        deliver_one()
    [got] = receiver.received
    # A receiver that kept the old secret text verifies with its base64, as the library wants it.
    Webhook(base64.b64encode(legacy.encode()).decode()).verify(got.body, got.headers)
    msg = f"{got.headers['webhook-id']}.{got.headers['webhook-timestamp']}.".encode() + got.body
    expected = base64.b64encode(hmac.new(legacy.encode(), msg, hashlib.sha256).digest()).decode()
    assert got.headers["webhook-signature"] == f"v1,{expected}"


def test_the_reverse_migration_leaves_a_key_that_was_never_text_as_it_is() -> None:
    random_key = "whsec_" + base64.b64encode(bytes(range(200, 232))).decode()

    assert migration.standard_secret_to_legacy(random_key) == random_key
