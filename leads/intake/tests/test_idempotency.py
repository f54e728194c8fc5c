"""Idempotency-Key on the submission API: replay, refusal on reuse, expiry."""

from __future__ import annotations

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from leads.intake.tests.support import API_URL, api_payload, table_counts
from leads.models import IdempotencyKey, Lead


def post(client: Client, body: dict[str, Any], key: str | None, **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(API_URL, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_it_replays_the_first_response_and_writes_nothing(client: Client) -> None:
    first = post(client, api_payload(), "order-42")
    after_first = table_counts()

    retry = post(client, api_payload(), "order-42")

    assert first.status_code == 201
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert table_counts() == after_first


@pytest.mark.django_db
def test_it_treats_the_same_body_with_keys_in_another_order_as_the_same_request(client: Client) -> None:
    body = api_payload()
    first = post(client, body, "reordered")
    after_first = table_counts()

    retry = post(client, dict(reversed(list(body.items()))), "reordered")

    assert retry.json() == first.json()
    assert table_counts() == after_first


@pytest.mark.django_db
def test_it_replays_a_merged_answer_as_merged(client: Client) -> None:
    post(client, api_payload(), None)
    merged = post(client, api_payload(message="Second visit"), "again")
    after = table_counts()

    retry = post(client, api_payload(message="Second visit"), "again")

    assert merged.status_code == 200
    assert (retry.status_code, retry.json()) == (200, merged.json())
    assert table_counts() == after


@pytest.mark.django_db
def test_it_refuses_the_same_key_with_a_different_body_with_422(client: Client) -> None:
    post(client, api_payload(), "order-43")
    after_first = table_counts()

    reused = post(client, api_payload(message="Something else entirely"), "order-43")

    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert table_counts() == after_first


@pytest.mark.django_db
def test_it_treats_an_expired_key_as_new(client: Client, settings: Any) -> None:
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    first = post(client, api_payload(), "old-key")
    # Data set-up: the first use happened just over a day ago.
    IdempotencyKey.objects.filter(key="old-key").update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    again = post(client, api_payload(message="A new question"), "old-key")

    assert again.status_code == 200  # not 422: the old key no longer binds; same email today merges
    assert again.json() == {"lead_id": first.json()["lead_id"], "merged": True}
    assert "Idempotent-Replayed" not in again
    assert IdempotencyKey.objects.get(key="old-key").response_body == again.json()


@pytest.mark.django_db
def test_it_still_replays_a_key_just_inside_its_lifetime(client: Client, settings: Any) -> None:
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    first = post(client, api_payload(), "young-key")
    IdempotencyKey.objects.filter(key="young-key").update(created_at=timezone.now() - timedelta(hours=23, minutes=59))

    retry = post(client, api_payload(), "young-key")

    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


@pytest.mark.django_db
def test_it_does_not_claim_a_key_for_a_refused_body(client: Client) -> None:
    refused = post(client, api_payload(email="not-an-email"), "fix-and-retry")

    fixed = post(client, api_payload(), "fix-and-retry")

    assert refused.status_code == 400
    assert fixed.status_code == 201
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_it_keeps_keys_of_different_callers_apart(client: Client) -> None:
    user = User.objects.create_user("crm-sync", password="not-used-here-0192")
    token = Token.objects.create(user=user).key
    anonymous = post(client, api_payload(), "shared-key")

    as_token = post(client, api_payload(email="other@example.com"), "shared-key", HTTP_AUTHORIZATION=f"Token {token}")

    assert as_token.status_code == 201  # not a 422: the key belongs to another caller
    assert as_token.json()["lead_id"] != anonymous.json()["lead_id"]
    assert Lead.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_does_the_work_once_for_simultaneous_retries_with_one_key(live_server: Any, settings: Any) -> None:
    settings.INTAKE_RATE_LIMIT = 0
    parallel = 8
    start = threading.Barrier(parallel)
    body = json.dumps(api_payload(email="retry.storm@example.com")).encode()

    def submit(_: int) -> tuple[int, str, str]:
        request = urllib.request.Request(
            live_server.url + API_URL, body, {"Content-Type": "application/json", "Idempotency-Key": "storm-1"}
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.dumps(json.loads(response.read()), sort_keys=True)  # jsonb stores keys reordered
            return response.status, response.headers.get("Idempotent-Replayed", ""), answer

    try:
        with ThreadPoolExecutor(parallel) as pool:
            results = list(pool.map(submit, range(parallel)))
        assert {status for status, _, _ in results} == {201}
        assert len({payload for _, _, payload in results}) == 1
        assert sorted(replayed for _, replayed, _ in results) == [""] + ["true"] * (parallel - 1)
        assert Lead.objects.filter(email="retry.storm@example.com").count() == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE args ? 'lead_id'")
