"""The request size limit (MAX_REQUEST_BYTES, DATA_UPLOAD_MAX_MEMORY_SIZE): one rule and one answer, a 413.

A body is refused when its Content-Length is over the limit, before anything
reads it: the submission API and the public form check that first. Django
enforces the same limit itself wherever it reads a form body (the CSRF check
reads a form's fields before any view runs) and raises RequestDataTooBig,
which it would answer with a bare 400; bad_request() (handler400) turns that
into the same 413. JSON under /api/, a page a person can act on elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults


def over_limit(request: HttpRequest) -> bool:
    """The body announces more bytes than the limit (a malformed length is the caller's own error)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_message() -> str:
    return _("The request body is over %(limit)d bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}


def too_large_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "too_large", "message": too_large_message()}}, status=413)
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    html = render_to_string("413.html", {"limit": limit}, request=request)
    return HttpResponse(html, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a body Django found over the limit is a 413 like ours, not a bare 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    return defaults.bad_request(request, exception)
