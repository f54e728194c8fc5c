"""Token clients for API tests: a real user in the real group, a real token in the header."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from assignments.tests.staff import UserFactory, make_manager, make_rep

API = "/api/v1"


class TokenClient:
    """Django's test client with `Authorization: Token ...` on every request."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=user).key}"} if user else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"{API}{path}", params or {}, **self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body or {})
        return self.client.post(f"{API}{path}", raw, content_type="application/json", **self.headers)

    def patch(self, path: str, body: Any) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.patch(f"{API}{path}", raw, content_type="application/json", **self.headers)


def rep_client(**kwargs: Any) -> TokenClient:
    return TokenClient(make_rep(**kwargs))


def manager_client(**kwargs: Any) -> TokenClient:
    return TokenClient(make_manager(**kwargs))


def outsider_client() -> TokenClient:
    """A valid token whose user is in neither sales group."""
    return TokenClient(UserFactory())


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]
