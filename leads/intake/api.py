"""The lead API. POST /api/v1/submissions/ is public; everything else needs a token."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, authentication_classes, parser_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from leads.intake import idempotency
from leads.intake.body import submission_data, submission_from
from leads.intake.parsers import SubmissionJSONParser
from leads.intake.serializers import SubmissionIn, SubmissionOut
from leads.intake.services import lead_submit
from leadsys.exceptions import API_ERRORS, ErrorOut
from leadsys.lockout import LockingTokenAuthentication
from leadsys.ratelimit import client_ip, intake_allowed


def _error(code: str, message: str, http_status: int) -> Response:
    return Response({"error": {"code": code, "message": message}}, status=http_status)


@extend_schema(
    operation_id="submissions_create",
    request=SubmissionIn,
    responses={200: SubmissionOut, 201: SubmissionOut, 413: ErrorOut, 429: ErrorOut, **API_ERRORS},
    auth=[],
)
@api_view(["POST"])
@authentication_classes([LockingTokenAuthentication])
@permission_classes([AllowAny])
@parser_classes([SubmissionJSONParser])
def submission_create(request: Request) -> Response:
    """Submit a lead. 201 for a new lead, 200 when it joined today's lead."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit():
        return _error("invalid_length", "The Content-Length header is not a number of bytes.", 400)
    if int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _error("too_large", f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.", 413)
    if not request.user.is_authenticated and not intake_allowed(request._request):
        return _error("rate_limited", "Too many submissions from this address; try again in a few minutes.", 429)

    # The body rules are SubmissionIn's (the documented schema), run without DRF's field objects.
    data = submission_data(request.data)
    submission = submission_from(data, trusted=request.user.is_authenticated, ip_address=client_ip(request._request))

    def work() -> tuple[int, dict[str, object]]:
        result = lead_submit(submission=submission)
        code = status.HTTP_200_OK if result.merged else status.HTTP_201_CREATED
        return code, {"lead_id": str(result.lead_id), "merged": result.merged}

    key = request.headers.get("Idempotency-Key")
    if key is None:
        code, body = work()
        return Response(body, status=code)
    scope = f"user:{request.user.pk}" if request.user.is_authenticated else "anon"
    code, body, replayed = idempotency.run_once(
        scope=scope,
        key=idempotency.check_key(key),
        fingerprint=idempotency.request_fingerprint(request.data),
        work=work,
    )
    response = Response(body, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
