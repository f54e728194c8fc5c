"""Lead endpoints: list (keyset pages), the full document, status changes, activities."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from activity.models import ActivityType, ActorType, LeadActivity, StaffReadKind
from activity.services import activity_append, staff_read_record
from assignments.guards import runs_as_staff
from assignments.models import Assignment, AssignmentStatus
from assignments.services import contact_log, lead_status_change
from leads.api import serializers as s
from leads.api.permissions import IsStaffMember
from leads.models import Lead, LeadProduct
from leads.selectors import lead_full, with_current_triage
from leadsys.api_fields import OneOfBodies
from leadsys.exceptions import WRITE_ERRORS, DomainError, api_errors
from leadsys.keyset import InvalidCursor, before_row, decode_cursor, encode_cursor, from_row

LIST_ERRORS = api_errors(400, 401, 403)


def owner_param(value: str, request: Request) -> str:
    return str(request.user.id) if value == "me" else value


def lead_cursor(lead: Lead) -> str:
    return encode_cursor(lead.created_at, lead.id)


def leads_matching(query: dict[str, Any], request: Request) -> QuerySet[Lead]:
    """The leads the filters select, in no order, from no cursor."""
    active = Assignment.objects.filter(lead_id=OuterRef("id"), status=AssignmentStatus.ACTIVE)
    leads = with_current_triage(Lead.objects.all()).annotate(owner_id=Subquery(active.values("owner_id")[:1]))
    plain = {"status": "status", "source": "source", "created_after": "created_at__gte"}
    plain |= {"created_before": "created_at__lt", "updated_since": "updated_at__gte"}
    plain |= {"priority": "priority", "intent": "intent"}
    leads = leads.filter(**{lookup: query[key] for key, lookup in plain.items() if key in query})
    if "owner" in query:
        leads = leads.filter(Exists(active.filter(owner_id=owner_param(query["owner"], request))))
    if "category" in query:
        leads = leads.filter(Exists(LeadProduct.objects.filter(lead_id=OuterRef("id"), category=query["category"])))
    return leads


def leads_filtered(query: dict[str, Any], request: Request) -> QuerySet[Lead]:
    """One page's query: the matching leads after the cursor, newest first."""
    leads = leads_matching(query, request)
    if "cursor" in query:
        # A row comparison the (created_at DESC) index serves: deep pages cost what the first does.
        leads = leads.filter(before_row("leads", "created_at", _cursor(query)))
    return leads.order_by("-created_at", "-id")


def _cursor(query: dict[str, Any]) -> tuple[Any, UUID]:
    try:
        return decode_cursor(query["cursor"])
    except InvalidCursor as exc:
        raise DomainError("The cursor is not one this API gave out.", code="invalid_cursor", field="cursor") from exc


def page_url(request: Request, cursor: str | None) -> str:
    """This request's absolute URL with `cursor` set (or dropped, for the first page)."""
    params = request.query_params.copy()
    params.pop("cursor", None)
    if cursor is not None:
        params["cursor"] = cursor
    encoded = params.urlencode()
    return request.build_absolute_uri(request.path + (f"?{encoded}" if encoded else ""))


def previous_url(request: Request, leads: QuerySet[Lead], cursor: tuple[Any, UUID], limit: int) -> str:
    """The page before: the `limit` rows from the cursor's row upwards, one index range read in the other direction.

    The cursor is the last row of the page before, so that page is the cursor's row and the limit - 1 rows
    above it; the row above those is its own cursor, and without one it is the first page.
    """
    above = list(leads.filter(from_row("leads", "created_at", cursor)).order_by("created_at", "id")[: limit + 1])
    return page_url(request, lead_cursor(above[limit]) if len(above) > limit else None)


@extend_schema(operation_id="leads_list", parameters=[s.LeadListQuery], responses={200: s.LeadPageOut, **LIST_ERRORS})
@api_view(["GET"])
@permission_classes([IsStaffMember])
@runs_as_staff
def lead_list(request: Request) -> Response:
    query = s.LeadListQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    limit = query.validated_data["limit"]
    page = list(leads_filtered(query.validated_data, request)[: limit + 1])
    previous = None
    if "cursor" in query.validated_data:
        matching = leads_matching(query.validated_data, request)
        previous = previous_url(request, matching, _cursor(query.validated_data), limit)
    next_cursor = lead_cursor(page[limit - 1]) if len(page) > limit else None
    staff_read_record(
        user=request.user, kind=StaffReadKind.API_LEAD_LIST, filters=query.validated_data, row_count=len(page[:limit])
    )
    return Response(
        {
            "results": s.LeadOut(page[:limit], many=True).data,
            "next_cursor": next_cursor,
            "next": page_url(request, next_cursor) if next_cursor else None,
            "previous": previous,
        }
    )


# The schema's view of ActivityIn: one object per kind, told apart by `type`, each closed.
ACTIVITY_IN = OneOfBodies(component_name="ActivityIn", serializers=s.ACTIVITY_KINDS, resource_type_field_name="type")


def _lead_document(lead_id: UUID) -> dict[str, Any]:
    document = lead_full(lead_id=lead_id)
    if document is None:
        raise Http404
    return document


@extend_schema(methods=["GET"], responses={200: s.LeadDocumentOut, **api_errors(401, 403, 404)})
@extend_schema(methods=["PATCH"], request=s.LeadPatchIn, responses={200: s.LeadDocumentOut, **WRITE_ERRORS})
@api_view(["GET", "PATCH"])
@permission_classes([IsStaffMember])
@runs_as_staff
def lead_detail(request: Request, lead_id: UUID) -> Response:
    """The get_lead_full() document; PATCH changes the status (a status_change event)."""
    get_object_or_404(Lead, id=lead_id)
    if request.method == "PATCH":
        data = s.LeadPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        lead_status_change(
            lead_id=lead_id,
            actor=request.user,
            to_status=data.validated_data["status"],
            reason=data.validated_data.get("reason") or None,
        )
    return Response(_lead_document(lead_id))


@extend_schema(
    methods=["GET"],
    parameters=[s.ActivityQuery],
    responses={200: s.ActivityOut(many=True), **api_errors(400, 401, 403, 404)},
)
@extend_schema(methods=["POST"], request=ACTIVITY_IN, responses={201: s.ActivityOut, **WRITE_ERRORS})
@api_view(["GET", "POST"])
@permission_classes([IsStaffMember])
@runs_as_staff
def lead_activities(request: Request, lead_id: UUID) -> Response:
    """The lead's events, newest first; POST logs a call, an email or a note."""
    get_object_or_404(Lead, id=lead_id)
    if request.method == "GET":
        query = s.ActivityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        events = LeadActivity.objects.filter(lead_id=lead_id).order_by("-created_at", "-id")
        return Response(s.ActivityOut(events[: query.validated_data["limit"]], many=True).data)
    data = s.ActivityIn(data=request.data)
    data.is_valid(raise_exception=True)
    return Response(s.ActivityOut(_log(lead_id, request, data.validated_data)).data, status=201)


def _log(lead_id: UUID, request: Request, data: dict[str, Any]) -> LeadActivity:
    if data["type"] == "note":
        return activity_append(
            lead_id=lead_id,
            type=ActivityType.NOTE,
            message=data["message"],
            metadata={"kind": "api_note"},
            actor_type=ActorType.USER,
            actor_id=str(request.user.id),
        )
    return contact_log(
        lead_id=lead_id,
        actor=request.user,
        channel=data["type"],
        summary=data["message"],
        outcome=data.get("outcome", "connected"),
        duration_seconds=data.get("duration_seconds"),
        subject=data.get("subject"),
    )
