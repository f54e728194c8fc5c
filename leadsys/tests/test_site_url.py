"""Links in emails: SITE_URL when set, else in development the address the server was started on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT", "DEBUG"}}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "leadsys.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]


def test_it_follows_the_port_the_server_was_started_on_in_development() -> None:
    assert site_url(DEBUG="true") == "http://127.0.0.1:8000"
    assert site_url(DEBUG="true", PORT="8123", HOST="0.0.0.0") == "http://0.0.0.0:8123"


def test_an_explicit_site_url_wins_without_its_trailing_slash() -> None:
    assert site_url(DEBUG="true", PORT="8123", SITE_URL="https://leads.example.com/") == "https://leads.example.com"
