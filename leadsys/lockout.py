"""Lockout after repeated failures (django-axes): passwords per user and per IP, bad API tokens per IP.

Axes counts failed password logins wherever `authenticate()` runs (the console
login, the admin login). DRF's TokenAuthentication never calls it, so
LockingTokenAuthentication reports each bad token to axes itself, under one
sentinel username that is locked per IP only: a per-username rule on the
sentinel would be one global bucket, and a stranger could lock every token.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from leadsys.ratelimit import client_ip

TOKEN_SENTINEL = "<api-token>"  # AccessAttempt.username of a bad token; no real username has < >

log = logging.getLogger("leadsys.lockout")


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: ratelimit's client_ip (X-Forwarded-For only BEHIND_PROXY), or None if no address.

    Axes stores it in an inet column: "unknown" or a forged header value would fail the insert.
    """
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: either the IP or the username reaching the limit locks (tokens: IP only)."""
    username = (credentials or {}).get("username") or getattr(request_or_attempt, "username", None)
    return ["ip_address"] if username == TOKEN_SENTINEL else ["ip_address", "username"]


def _retry(request: HttpRequest) -> tuple[timedelta | None, str]:
    # Every attempt made during a lockout restarts the cool-off (axes' default), so the lock
    # ends one cool-off after this attempt.
    cool_off = get_cool_off(request)
    if not cool_off:
        return None, _("Too many failed attempts. Ask a manager to unlock your account.")
    at = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    message = _("Too many failed attempts. Try again in %(minutes)d minutes, after %(time)s.") % {
        "minutes": minutes,
        "time": at.strftime("%H:%M %Z"),
    }
    return cool_off, message


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; JSON for the API, the branded page elsewhere."""
    cool_off, message = _retry(request)
    log.warning("lockout answered: path=%s ip=%s", request.path, getattr(request, "axes_ip_address", "?"))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    else:
        html = render_to_string("accounts/lockout.html", {"message": message}, request=request)
        response = HttpResponse(html, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


class LockingTokenAuthentication(TokenAuthentication):
    """TokenAuthentication whose failures count towards the caller's IP lockout."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None  # no token presented: nothing to count
        django_request = request._request  # axes and AxesMiddleware read the HttpRequest
        credentials = {"username": TOKEN_SENTINEL}
        if not AxesProxyHandler.is_allowed(django_request, credentials):
            cool_off, message = _retry(django_request)
            raise Throttled(wait=cool_off.total_seconds() if cool_off else None, detail=message)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            AxesProxyHandler.user_login_failed(sender=type(self), credentials=credentials, request=django_request)
            raise
