"""Helpers for the overview page tests: signed-in clients and SVG/HTML reading."""

from __future__ import annotations

import re
from html import unescape

from django.contrib.auth.models import User
from django.test import Client

from assignments.tests.staff import UserFactory, make_manager, make_rep


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def rep_client() -> tuple[User, Client]:
    rep = make_rep()
    return rep, client_for(rep)


def manager_client() -> tuple[User, Client]:
    manager = make_manager()
    return manager, client_for(manager)


def outsider_client() -> Client:
    """Signed in, but neither rep nor manager."""
    return client_for(UserFactory())


def data_values(html: str, *, attribute: str, value_attribute: str) -> dict[str, int]:
    """{data-label: data-total/value} of the chart groups in a page."""
    pattern = rf'{attribute}="([^"]*)" {value_attribute}="(\d+)"'
    return {unescape(label): int(n) for label, n in re.findall(pattern, html)}
