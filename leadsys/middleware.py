"""Answers that stay clear when things fail: 503 while the database is down, Retry-After on every 429."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from leadsys.ratelimit import retry_after_seconds

logger = logging.getLogger(__name__)

# What psycopg raises when the server is gone or refuses connections (not a bad query: that is a ProgrammingError).
DATABASE_DOWN = (OperationalError, InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, the branded page elsewhere."""
    retry_after = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    message = _("The service is briefly unavailable; nothing was saved. Please try again in a few seconds.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": {"code": "unavailable", "message": message}}, status=503)
    else:
        # Rendered without a RequestContext: the context processors could need the database.
        html = render_to_string("503.html", {"company_name": settings.COMPANY_NAME, "message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


def _forget_broken_connections() -> None:
    # A dead connection must not be handed to the next request of this process.
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


class OutageMiddleware:
    """The database stopped answering: a retryable 503 instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN):
            return self._unavailable(request)
        if isinstance(exception, UnreadablePostError):
            # The client announced more bytes than it sent (a short body): its fault, not ours.
            message = _("The request body is shorter than its Content-Length.")
            return JsonResponse({"error": {"code": "incomplete_body", "message": message}}, status=400)
        return None

    def _unavailable(self, request: HttpRequest) -> HttpResponse:
        logger.warning("database unavailable during %s %s", request.method, request.path)
        _forget_broken_connections()
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage met outside a view (a middleware saving the session) is a 503 too."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        _forget_broken_connections()
        return unavailable_response(request)
    return defaults.server_error(request)


class RetryAfterMiddleware:
    """Every 429 says when to come back, whichever view refused the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(retry_after_seconds(window_seconds=settings.INTAKE_RATE_WINDOW_SECONDS))
        return response
