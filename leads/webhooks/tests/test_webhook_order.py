"""Nothing lost, nothing overtakes: redirects are failed attempts, and an endpoint's deliveries go out
in the order their events happened, whichever job runs first."""

from __future__ import annotations

import pytest
from django.db import connection

from assignments.pipeline import lead_triage
from assignments.tests.staff import make_rep
from leads.tests.factories import LeadFactory, LeadProductFactory
from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.services import DeliveryFailed, webhook_deliver, webhook_emit
from leads.webhooks.tests.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


def test_it_does_not_follow_a_redirect_and_records_where_it_pointed() -> None:
    with WebhookReceiver(200) as elsewhere, WebhookReceiver(302, 200, location=elsewhere.url) as receiver:
        hook = WebhookEndpoint.objects.create(url=receiver.url, events=["lead.created"])
        [delivery] = webhook_emit("lead.created", {"lead_id": "x"})

        with pytest.raises(DeliveryFailed):
            webhook_deliver(delivery_id=delivery.id)

        delivery.refresh_from_db()
        hook.refresh_from_db()
        assert (delivery.status, delivery.response_status, delivery.delivered_at) == ("failed", 302, None)
        assert delivery.last_error == f"HTTP 302: redirect to {elsewhere.url} not followed"
        assert hook.consecutive_failures == 1
        assert elsewhere.received == []  # neither the body nor its signature went anywhere else

        webhook_deliver(delivery_id=delivery.id)  # the retry: the receiver answers 200 now

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [(got.method, got.status) for got in receiver.received] == [("POST", 302), ("POST", 200)]


def test_it_sends_earlier_deliveries_first_whichever_job_runs_first() -> None:
    with WebhookReceiver(200) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, events=["lead.created"])
        deliveries = [webhook_emit("lead.created", {"n": n})[0] for n in range(3)]

        webhook_deliver(delivery_id=deliveries[1].id)  # the second's job first: the first goes before it
        assert [got.json()["data"]["n"] for got in receiver.received] == [0, 1]
        for delivery in deliveries:  # then every job: only the third is still to send
            webhook_deliver(delivery_id=delivery.id)

    assert [got.json()["sequence"] for got in receiver.received] == [1, 2, 3]
    assert WebhookDelivery.objects.filter(status="succeeded").count() == 3


def test_a_failure_holds_back_the_deliveries_behind_it() -> None:
    with WebhookReceiver(500, 200) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, events=["lead.created"])
        first, second = (webhook_emit("lead.created", {"n": n})[0] for n in range(2))

        with pytest.raises(DeliveryFailed):
            webhook_deliver(delivery_id=second.id)  # tries the first, which fails: the second is not sent

        assert [got.json()["data"]["n"] for got in receiver.received] == [0]
        assert WebhookDelivery.objects.get(id=second.id).status == "pending"
        webhook_deliver(delivery_id=second.id)

    assert [got.json()["data"]["n"] for got in receiver.received] == [0, 0, 1]


def test_it_numbers_each_endpoints_deliveries_and_triaged_comes_before_assigned() -> None:
    one = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/a", events=["lead.triaged", "lead.assigned"])
    two = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/b", events=["lead.assigned"])
    make_rep()
    lead = LeadFactory(message="Please send a quote for 2000 sq ft of oak flooring")
    LeadProductFactory(lead=lead, category="Flooring")

    lead_triage(lead_id=lead.id)

    by_endpoint = {
        hook.id: list(
            WebhookDelivery.objects.filter(endpoint=hook).order_by("sequence").values_list("sequence", "event")
        )
        for hook in (one, two)
    }
    assert by_endpoint == {one.id: [(1, "lead.triaged"), (2, "lead.assigned")], two.id: [(1, "lead.assigned")]}
    with connection.cursor() as cursor:  # and their jobs were queued in that order, under the endpoint's lock
        cursor.execute(
            "SELECT d.event FROM procrastinate_jobs j JOIN webhook_deliveries d ON j.args->>'delivery_id' = d.id::text"
            " WHERE j.lock = %s ORDER BY j.id",
            [f"webhook-endpoint-{one.id}"],
        )
        assert cursor.fetchall() == [("lead.triaged",), ("lead.assigned",)]
