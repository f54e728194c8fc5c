"""One exception type for domain errors, and the API handler that renders it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from leadsys.api_fields import UnknownFields


class DomainError(Exception):
    """A business rule refused the action; the message is for a person."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class NotAllowed(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class NotFound(DomainError):
    """The thing the action names does not exist: one error, one status (404), wherever it is raised."""

    status_code = 404

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code="not_found", field=field)


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


class ErrorOut(serializers.Serializer):
    """The error body api_exception_handler() writes, for the OpenAPI document."""

    error = ErrorDetail()


ERROR_WHEN = {
    400: "Bad input (nothing was written): `invalid` with `fields`, `unknown_field` naming each unknown body field, "
    "or a domain code with `field`.",
    401: "No token, or not a valid one.",
    403: "The token's user may not do this.",
    404: "No such id, or no such endpoint.",
    409: "The state changed under you: already decided, the same status, not active.",
    413: "The body is over the size limit.",
    415: "The body is not JSON (`Content-Type: application/json`).",
    422: "This Idempotency-Key was already used with a different body.",
    429: "Too many submissions from this address; `Retry-After` says when to try again.",
}


def api_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for @extend_schema, each with the one error body and when it happens."""
    return {status: OpenApiResponse(ErrorOut, description=ERROR_WHEN[status]) for status in statuses}


# What the token API's operations can answer besides success: reads, and writes (which take a JSON body).
API_ERRORS = api_errors(400, 401, 403, 404)
WRITE_ERRORS = api_errors(400, 401, 403, 404, 409, 415)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"error": {"code": exc.code, "message": exc.message}}
        if exc.field:
            body["error"]["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, UnknownFields):
        message = "The body names fields this endpoint does not take; check their spelling."
        response.data = {"error": {"code": "unknown_field", "message": message, "fields": response.data}}
    elif isinstance(exc, drf_exceptions.ValidationError):
        response.data = {"error": {"code": "invalid", "message": "Some fields are not valid.", "fields": response.data}}
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = {
            "error": {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error", "message": detail}
        }
    return response
