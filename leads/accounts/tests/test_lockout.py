"""Logins that resist guessing: the N-th wrong password locks, per user and per IP, until the cool-off or a manager."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from assignments.tests.staff import UserFactory, make_manager, make_rep

pytestmark = pytest.mark.django_db
PASSWORD = "right-horse-battery-9"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _quick_hashes(settings: object) -> None:
    # Each refused guess still hashes a password; the default hasher would make this file slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(username: str = "asha") -> object:
    user = make_rep(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1", url: str = LOGIN) -> object:
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client: Client, times: int, username: str = "asha", ip: str = "10.0.0.1", url: str = LOGIN) -> list[int]:
    return [attempt(client, username, "wrong-guess", ip, url).status_code for _ in range(times)]


def test_it_locks_on_the_fifth_wrong_password_and_refuses_the_right_one(client: Client, caplog: object) -> None:
    staff()
    assert fail(client, 4) == [200, 200, 200, 200]  # the form again, with its error

    with caplog.at_level(logging.WARNING):
        locked = attempt(client, "asha", "wrong-guess")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "Try again in 15 minutes" in locked.content.decode()
    assert "Sign-in locked for now" in locked.content.decode()  # the branded page, not axes' text
    assert any(
        "Locking out" in r.getMessage() and "asha" in r.getMessage() for r in caplog.records
    )  # axes logs each lockout

    right = attempt(client, "asha", PASSWORD)
    assert right.status_code == 429
    assert client.get("/console/").status_code == 302  # still not signed in


def test_it_locks_the_user_from_another_ip_and_the_ip_for_another_user(client: Client) -> None:
    staff("asha")
    staff("vikram")
    fail(client, 5, username="asha", ip="10.0.0.1")

    assert attempt(client, "asha", PASSWORD, ip="10.0.0.2").status_code == 429  # per user
    assert attempt(client, "vikram", PASSWORD, ip="10.0.0.1").status_code == 429  # per IP
    assert attempt(client, "vikram", PASSWORD, ip="10.0.0.3").status_code == 302  # neither: signed in


def test_it_lets_the_right_password_in_once_the_lock_has_ended(client: Client) -> None:
    staff()
    fail(client, 5)
    assert attempt(client, "asha", PASSWORD).status_code == 429
    # The cool-off passing, without waiting 15 minutes: the failures become 16 minutes old.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert attempt(client, "asha", PASSWORD).status_code == 302
    assert client.get("/console/").status_code == 200


def test_it_counts_failures_below_the_limit_only_until_a_success(client: Client) -> None:
    staff()
    fail(client, 4)
    assert attempt(client, "asha", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4) == [200] * 4  # the count started again


def test_it_reads_the_limit_from_settings(client: Client, settings: object) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    staff()
    assert fail(client, 2) == [200, 429]


def test_it_locks_the_admin_login_too(client: Client) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    assert fail(client, 5, username="root", url="/admin/login/")[-1] == 429

    assert attempt(client, "root", PASSWORD, url="/admin/login/").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_it_lets_a_manager_unlock_in_the_admin(client: Client) -> None:
    staff()
    fail(client, 5)
    manager = make_manager(username="meena", is_staff=True)
    boss = Client()
    boss.force_login(manager)

    listing = boss.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "asha" in listing.content.decode()
    rep = Client()
    rep.force_login(make_rep(username="ravi", is_staff=True))
    assert rep.get("/admin/axes/accessattempt/").status_code == 403  # reps cannot unlock

    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    done = boss.post("/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": ids})
    assert done.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "asha", PASSWORD).status_code == 302


def test_it_answers_bad_api_tokens_with_429_and_retry_after_per_ip(client: Client) -> None:
    user = staff()
    good = Token.objects.create(user=user).key

    def call(token: str, ip: str) -> object:
        return client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=ip)

    assert [call("0" * 40, "10.0.0.9").status_code for _ in range(4)] == [401] * 4
    fifth = call("0" * 40, "10.0.0.9")
    assert fifth.status_code == 429 and fifth["Retry-After"] == "900"
    assert fifth.json()["error"]["code"] == "locked_out"

    still = call(good, "10.0.0.9")  # even a good token, from the locked address
    assert still.status_code == 429 and int(still["Retry-After"]) > 0
    assert call(good, "10.0.0.10").status_code == 200  # another address is not affected
    assert call("1" * 40, "10.0.0.10").status_code == 401  # one bad token elsewhere: counted, not locked


def test_it_does_not_count_calls_without_a_token(client: Client) -> None:
    for _ in range(6):
        assert client.get("/api/v1/leads/", REMOTE_ADDR="10.0.0.11").status_code in {401, 403}
    assert not AccessAttempt.objects.exists()
