"""The privacy notice is a real page, linked from the form, showing the version each consent event records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_serves_the_notice_with_the_version_consent_records(client: Client, settings: Any) -> None:
    settings.PRIVACY_NOTICE_VERSION = "2027-03"
    response = client.get("/form/privacy/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Privacy notice</h1>" in html and "<strong data-version>2027-03</strong>" in html
    form = client.get("/form/").content.decode()
    assert 'href="/form/privacy/"' in form and "version 2027-03" in form
