"""The lead API. POST /api/v1/submissions/ is public; everything else needs a token."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
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
from leadsys.exceptions import api_errors
from leadsys.lockout import LockingTokenAuthentication
from leadsys.ratelimit import client_ip, intake_allowed, retry_after_seconds
from leadsys.request_size import over_limit, too_large_response


def _error(code: str, message: str, http_status: int) -> Response:
    return Response({"error": {"code": code, "message": message}}, status=http_status)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retry with the same key and body gets the first response back and "
    f"writes nothing; the same key with another body is a 422. Kept {settings.IDEMPOTENCY_KEY_TTL_HOURS} hours.",
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
)
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
    type={"type": "string", "enum": ["true"]},
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    location=OpenApiParameter.HEADER,
    response=[429],
    required=True,
    description="Seconds until this address may submit again.",
    type={"type": "integer", "minimum": 1},
)


@extend_schema(
    operation_id="submissions_create",
    request=SubmissionIn,
    parameters=[IDEMPOTENCY_KEY, REPLAYED, RETRY_AFTER],
    responses={
        200: OpenApiResponse(SubmissionOut, description="Merged into the lead this email submitted today."),
        201: OpenApiResponse(SubmissionOut, description="A new lead."),
        **api_errors(400, 401, 413, 415, 422, 429),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([LockingTokenAuthentication])
@permission_classes([AllowAny])
@parser_classes([SubmissionJSONParser])
def submission_create(request: Request) -> Response:
    """Submit a lead. 201 for a new lead, 200 when it joined today's lead."""
    if not (request.META.get("CONTENT_LENGTH") or "0").isdigit():
        return _error("invalid_length", "The Content-Length header is not a number of bytes.", 400)
    if over_limit(request._request):
        return too_large_response(request._request)  # the form's rule and answer (JSON here)
    if not request.user.is_authenticated and not intake_allowed(request._request):
        response = _error("rate_limited", "Too many submissions from this address; try again in a few minutes.", 429)
        response["Retry-After"] = str(retry_after_seconds(window_seconds=settings.INTAKE_RATE_WINDOW_SECONDS))
        return response

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
