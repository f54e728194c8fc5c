"""One exception type for domain errors, and the API handler that renders it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler


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


# The error statuses every API operation documents.
API_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


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
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {"error": {"code": "invalid", "message": "Some fields are not valid.", "fields": response.data}}
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = {
            "error": {"code": exc.get_codes() if isinstance(exc.get_codes(), str) else "error", "message": detail}
        }
    return response
