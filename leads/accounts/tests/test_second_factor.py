"""A second factor: managers must enrol (QR code, backup codes once) and then show a code at every login."""

from __future__ import annotations

import base64
import re
import time

import pyotp
import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from assignments.tests.staff import make_manager, make_rep
from leads.accounts.services import backup_codes_issue, totp_device_begin, totp_device_confirm

pytestmark = pytest.mark.django_db
PASSWORD = "second-factor-pass-42"


@pytest.fixture(autouse=True)
def _required(settings: object) -> None:
    settings.REQUIRE_2FA_FOR_MANAGERS = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code(device: TOTPDevice, steps: int = 0) -> str:
    """The code an authenticator app shows: the device key is hex, pyotp wants base32."""
    secret = base64.b32encode(bytes.fromhex(device.key)).decode()
    return pyotp.TOTP(secret, digits=device.digits, interval=device.step).at(time.time() + steps * device.step)


def person(make: object, username: str, **extra: object) -> object:
    user = make(username=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client: Client, username: str) -> object:
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD}, follow=True)


def enrolled(user: object) -> TOTPDevice:
    device = totp_device_begin(user=user)
    assert totp_device_confirm(device=device, token=code(device))
    return TOTPDevice.objects.get(pk=device.pk)


def test_it_sends_a_manager_without_a_device_to_enrolment_and_shows_backup_codes_once(client: Client) -> None:
    person(make_manager, "meena")
    page = log_in(client, "meena")
    assert page.redirect_chain[-1][0].startswith("/accounts/2fa/enrol/?next=%2Fconsole%2F")
    html = page.content.decode()
    assert '<img src="data:image/svg+xml' in html  # the QR code as an image in the page, no outside request
    assert client.get("/console/").status_code == 302  # held until enrolled
    assert client.get("/api/v1/leads/").status_code == 403

    device = TOTPDevice.objects.get(user__username="meena", confirmed=False)
    assert base64.b32encode(device.bin_key).decode() in html  # the key, for typing in
    wrong = client.post("/accounts/2fa/enrol/", {"code": "000000", "next": "/console/"})
    assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try for a second

    done = client.post("/accounts/2fa/enrol/", {"code": code(device), "next": "/console/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and StaticToken.objects.filter(token__in=codes).count() == 10
    assert client.get("/console/").status_code == 200  # this session is verified
    assert client.get("/accounts/2fa/enrol/").status_code == 302  # enrolment does not show them again


def test_it_asks_an_enrolled_manager_for_the_code_at_login(client: Client) -> None:
    device = enrolled(person(make_manager, "meena"))
    page = log_in(client, "meena")
    assert page.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")
    assert client.get("/console/").status_code == 302

    assert client.post("/accounts/2fa/verify/", {"code": "123456"}).status_code == 400
    assert client.get("/console/").status_code == 302
    device.throttle_reset()
    # The enrolment used this step's code; a code is never taken twice, so the app's next one.
    ok = client.post("/accounts/2fa/verify/", {"code": code(device, steps=1), "next": "/console/leads/"})
    assert ok.status_code == 302 and ok["Location"] == "/console/leads/"
    assert client.get("/console/").status_code == 200


def test_it_takes_a_backup_code_once(client: Client) -> None:
    manager = person(make_manager, "meena")
    enrolled(manager)
    backup = backup_codes_issue(user=manager)[0]
    log_in(client, "meena")
    assert client.post("/accounts/2fa/verify/", {"code": backup}).status_code == 302
    assert client.get("/console/").status_code == 200

    again = Client()
    log_in(again, "meena")
    assert again.post("/accounts/2fa/verify/", {"code": backup}).status_code == 400


def test_it_holds_the_admin_for_a_superuser_without_a_verified_session(client: Client) -> None:
    person(make_rep, "root", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    held = client.get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/2fa/enrol/")


def test_it_leaves_reps_free_to_choose(client: Client) -> None:
    person(make_rep, "ravi")
    log_in(client, "ravi")
    assert client.get("/console/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_it_asks_a_rep_who_enrolled_for_the_code_too(client: Client) -> None:
    enrolled(person(make_rep, "ravi"))
    page = log_in(client, "ravi")
    assert page.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")


def test_it_requires_nothing_when_the_setting_is_off(client: Client, settings: object) -> None:
    settings.REQUIRE_2FA_FOR_MANAGERS = False
    person(make_manager, "meena")
    log_in(client, "meena")
    assert client.get("/console/").status_code == 200


def test_it_lets_api_tokens_through_without_a_session(client: Client) -> None:
    manager = person(make_manager, "meena")
    token = Token.objects.create(user=manager).key
    assert client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_it_does_not_follow_a_next_to_another_site(client: Client) -> None:
    device = enrolled(person(make_manager, "meena"))
    log_in(client, "meena")
    ok = client.post("/accounts/2fa/verify/", {"code": code(device, steps=1), "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == "/console/"
