"""Staff register webhook endpoints in the admin, read the delivery log, and resume a paused endpoint."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from leads.webhooks.models import WebhookDelivery, WebhookEndpoint
from leads.webhooks.signing import secret_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "not-used-7731"))
    return client


def test_it_registers_an_endpoint_with_a_generated_secret_and_chosen_events(admin_client_logged_in: Client) -> None:
    page = admin_client_logged_in.get("/admin/leads/webhookendpoint/add/")
    secret = page.context["adminform"].form["secret"].value()  # generated, shown to copy

    response = admin_client_logged_in.post(
        "/admin/leads/webhookendpoint/add/",
        {
            "url": "https://crm.example.com/hooks",
            "secret": secret,
            "events": ["lead.created", "sla.breached"],
            "is_active": "on",
            "description": "CRM",
        },
    )

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.secret) == (
        "https://crm.example.com/hooks",
        ["lead.created", "sla.breached"],
        secret,
    )
    assert secret.startswith("whsec_") and len(secret_key(secret)) == 32


def test_it_refuses_a_secret_that_is_not_a_standard_webhooks_secret(admin_client_logged_in: Client) -> None:
    for secret in ["not-a-whsec-secret", "whsec_!!!", "whsec_" + base64.b64encode(b"short").decode()]:
        response = admin_client_logged_in.post(
            "/admin/leads/webhookendpoint/add/",
            {"url": "https://crm.example.com/hooks", "secret": secret, "events": ["lead.created"], "is_active": "on"},
        )

        assert response.status_code == 200, secret
        assert "secret" in response.context["adminform"].form.errors, secret
    assert not WebhookEndpoint.objects.exists()


def test_it_rotates_a_secret_with_the_grace_period_chosen_there(admin_client_logged_in: Client) -> None:
    endpoint = WebhookEndpoint.objects.create(url="https://crm.example.com/hooks", events=["lead.created"])
    old = endpoint.secret
    change = admin_client_logged_in.get(f"/admin/leads/webhookendpoint/{endpoint.id}/change/")
    rotate_url = f"/admin/leads/webhookendpoint/{endpoint.id}/rotate-secret/"
    assert rotate_url in change.content.decode()
    assert "secret" not in change.context["adminform"].form.fields  # changed only by rotation

    refused = admin_client_logged_in.post(rotate_url, {"grace_hours": "-1"})
    assert refused.status_code == 200 and "grace_hours" in refused.context["form"].errors
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (old, "")

    before = timezone.now()
    response = admin_client_logged_in.post(rotate_url, {"grace_hours": "48"})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assert endpoint.previous_secret == old
    assert before + timedelta(hours=48) <= endpoint.previous_secret_expires_at <= timezone.now() + timedelta(hours=48)
    assert LogEntry.objects.get(object_id=str(endpoint.id)).get_change_message().startswith("Rotated the secret")


def test_it_refuses_an_unknown_event_in_the_form(admin_client_logged_in: Client) -> None:
    response = admin_client_logged_in.post(
        "/admin/leads/webhookendpoint/add/",
        {"url": "https://crm.example.com/hooks", "secret": "s", "events": ["lead.deleted"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert "lead.deleted" in str(response.context["adminform"].form.errors["events"])
    assert not WebhookEndpoint.objects.exists()


def test_it_shows_the_delivery_log_read_only_and_resumes_a_paused_endpoint(admin_client_logged_in: Client) -> None:
    endpoint = WebhookEndpoint.objects.create(
        url="https://crm.example.com/hooks", events=["lead.created"], paused_at=timezone.now(), consecutive_failures=10
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, sequence=1, event="lead.created", payload={"lead_id": "x"}, status="failed", attempts=10
    )

    log = admin_client_logged_in.get("/admin/leads/webhookdelivery/")
    detail = admin_client_logged_in.get(f"/admin/leads/webhookdelivery/{delivery.id}/change/")
    assert log.status_code == detail.status_code == 200
    assert "lead.created" in log.content.decode()
    assert admin_client_logged_in.get("/admin/leads/webhookdelivery/add/").status_code == 403

    response = admin_client_logged_in.post(
        "/admin/leads/webhookendpoint/", {"action": "resume", "_selected_action": [endpoint.id]}
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.paused_at, endpoint.consecutive_failures) == (None, 0)
    with connection.cursor() as cursor:  # the delivery that waited is queued again
        cursor.execute("SELECT args->>'delivery_id' FROM procrastinate_jobs")
        assert cursor.fetchall() == [(str(delivery.id),)]
