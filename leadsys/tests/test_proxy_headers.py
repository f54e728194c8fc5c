"""X-Forwarded-Proto and X-Forwarded-For are believed only with BEHIND_PROXY=true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

from leadsys.ratelimit import client_ip

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.BEHIND_PROXY, settings.SECURE_PROXY_SSL_HEADER]))"
)


def settings_with(**env: str) -> list[object]:
    """The settings module as a fresh process reads it (a URL, so no embedded server starts)."""
    environ = {k: v for k, v in os.environ.items() if k != "BEHIND_PROXY"}
    environ |= {"DJANGO_SETTINGS_MODULE": "leadsys.settings", "DATABASE_URL": "postgres://x@127.0.0.1:1/x", **env}
    out = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_it_trusts_x_forwarded_proto_only_behind_a_proxy() -> None:
    assert settings_with() == [False, None]
    assert settings_with(BEHIND_PROXY="false") == [False, None]
    assert settings_with(BEHIND_PROXY="true") == [True, ["HTTP_X_FORWARDED_PROTO", "https"]]


@pytest.mark.parametrize(("behind_proxy", "hsts"), [(False, False), (True, True)])
def test_it_sends_hsts_for_a_forwarded_https_request_only_behind_a_proxy(
    client: Client, settings: object, behind_proxy: bool, hsts: bool
) -> None:
    settings.BEHIND_PROXY = behind_proxy
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None
    settings.SECURE_HSTS_SECONDS = 3600  # the production value is on; it is only sent over HTTPS
    response = client.get("/form/", HTTP_X_FORWARDED_PROTO="https")
    assert ("Strict-Transport-Security" in response) is hsts


def test_it_reads_the_client_from_x_forwarded_for_only_behind_a_proxy(rf: object, settings: object) -> None:
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.1.1.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "198.51.100.7"  # the proxy's own hop, not what the client wrote first


@pytest.mark.parametrize(("behind_proxy", "recorded"), [(False, "10.1.1.1"), (True, "198.51.100.7")])
def test_it_locks_out_the_address_the_proxy_saw(
    client: Client, settings: object, behind_proxy: bool, recorded: str
) -> None:
    settings.BEHIND_PROXY = behind_proxy
    client.post(
        "/accounts/login/",
        {"username": "nobody", "password": "x"},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [recorded]


def test_it_survives_a_forged_address_behind_a_proxy(client: Client, settings: object) -> None:
    settings.BEHIND_PROXY = True
    response = client.post(
        "/accounts/login/", {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="not-an-ip"
    )
    assert response.status_code == 200  # the form again, not a 500 from an inet column
