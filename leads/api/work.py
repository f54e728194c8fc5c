"""Work endpoints: follow-ups, approvals, assignments and the dashboard."""

from __future__ import annotations

from uuid import UUID

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from activity.models import ActivityType, LeadActivity
from activity.selectors import pending_follow_ups
from assignments import approvals, followups, routing
from assignments.completion import assignment_complete
from assignments.guards import runs_as_staff
from assignments.models import Assignment, AssignmentStatus
from assignments.routing import staff_users
from assignments.services import assignment_reassign
from leads.api import serializers as s
from leads.api.leads import LIST_ERRORS, owner_param
from leads.api.permissions import IsManager, IsStaffMember
from leads.selectors import dashboard_stats
from leadsys.exceptions import WRITE_ERRORS, Conflict, NotFound, api_errors

# --- Follow-ups ------------------------------------------------------------------------------


@extend_schema(methods=["GET"], parameters=[s.FollowUpQuery], responses={200: s.FollowUpOut(many=True), **LIST_ERRORS})
@extend_schema(methods=["POST"], request=s.FollowUpIn, responses={201: s.ActivityOut, **WRITE_ERRORS})
@api_view(["GET", "POST"])
@permission_classes([IsStaffMember])
@runs_as_staff
def follow_up_list(request: Request) -> Response:
    """GET: get_pending_follow_ups(), oldest first. POST: schedule a follow-up."""
    if request.method == "GET":
        query = s.FollowUpQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        owner = query.validated_data.get("owner")
        rows = pending_follow_ups(
            limit=query.validated_data["limit"], owner_id=owner_param(owner, request) if owner else None
        )
        return Response(s.FollowUpOut(rows, many=True).data)
    data = s.FollowUpIn(data=request.data)
    data.is_valid(raise_exception=True)
    item = followups.follow_up_add(
        lead_id=data.validated_data["lead_id"],
        actor=request.user,
        action=data.validated_data["action"],
        scheduled_for=data.validated_data["scheduled_for"],
        reason=data.validated_data.get("reason") or None,
    )
    return Response(s.ActivityOut(item).data, status=201)


def _follow_up_close(request: Request, activity_id: UUID, *, complete: bool) -> Response:
    get_object_or_404(LeadActivity, id=activity_id, type=ActivityType.FOLLOW_UP)
    data = s.FollowUpCloseIn(data=request.data)
    data.is_valid(raise_exception=True)
    note = data.validated_data.get("note") or None
    if complete:
        item = followups.follow_up_complete(activity_id=activity_id, actor=request.user, outcome=note)
    else:
        item = followups.follow_up_cancel(activity_id=activity_id, actor=request.user, reason=note)
    return Response(s.ActivityOut(item).data)


@extend_schema(request=s.FollowUpCloseIn, responses={200: s.ActivityOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsStaffMember])
@runs_as_staff
def follow_up_complete(request: Request, activity_id: UUID) -> Response:
    return _follow_up_close(request, activity_id, complete=True)


@extend_schema(request=s.FollowUpCloseIn, responses={200: s.ActivityOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsStaffMember])
@runs_as_staff
def follow_up_cancel(request: Request, activity_id: UUID) -> Response:
    return _follow_up_close(request, activity_id, complete=False)


# --- Approvals ------------------------------------------------------------------------------------


@extend_schema(parameters=[s.ApprovalQuery], responses={200: s.ActivityOut(many=True), **LIST_ERRORS})
@api_view(["GET"])
@permission_classes([IsStaffMember])
@runs_as_staff
def approval_list(request: Request) -> Response:
    query = s.ApprovalQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    items = LeadActivity.objects.filter(type=ActivityType.APPROVAL, status=query.validated_data["status"]).order_by(
        "-created_at", "-id"
    )
    return Response(s.ActivityOut(items[: query.validated_data["limit"]], many=True).data)


def _approval_decide(request: Request, activity_id: UUID, *, approve: bool) -> Response:
    get_object_or_404(LeadActivity, id=activity_id, type=ActivityType.APPROVAL)
    data = s.ApprovalDecisionIn(data=request.data)
    data.is_valid(raise_exception=True)
    item = approvals.approval_decide(
        activity_id=activity_id, actor=request.user, approve=approve, comment=data.validated_data["comment"]
    )
    return Response(s.ActivityOut(item).data)


@extend_schema(request=s.ApprovalDecisionIn, responses={200: s.ActivityOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsManager])
@runs_as_staff
def approval_approve(request: Request, activity_id: UUID) -> Response:
    return _approval_decide(request, activity_id, approve=True)


@extend_schema(request=s.ApprovalDecisionIn, responses={200: s.ActivityOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsManager])
@runs_as_staff
def approval_reject(request: Request, activity_id: UUID) -> Response:
    return _approval_decide(request, activity_id, approve=False)


# --- Assignments -----------------------------------------------------------------------------------


@extend_schema(parameters=[s.AssignmentQuery], responses={200: s.AssignmentOut(many=True), **LIST_ERRORS})
@api_view(["GET"])
@permission_classes([IsStaffMember])
@runs_as_staff
def assignment_list(request: Request) -> Response:
    query = s.AssignmentQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    items = Assignment.objects.filter(status=query.validated_data["status"])
    if "owner" in query.validated_data:
        items = items.filter(owner_id=owner_param(query.validated_data["owner"], request))
    items = items.order_by("-assigned_at", "-id")[: query.validated_data["limit"]]
    return Response(s.AssignmentOut(items, many=True).data)


@extend_schema(request=s.AssignmentCompleteIn, responses={200: s.AssignmentOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsStaffMember])
@runs_as_staff
def assignment_complete_view(request: Request, assignment_id: UUID) -> Response:
    """The owner (or a manager) closes the assignment; the trigger fills sla_met."""
    assignment = get_object_or_404(Assignment, id=assignment_id)
    data = s.AssignmentCompleteIn(data=request.data)
    data.is_valid(raise_exception=True)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"This assignment is already {assignment.status}.", code="not_active")
    assignment_complete(lead_id=assignment.lead_id, actor=request.user, note=data.validated_data.get("note", ""))
    assignment.refresh_from_db()
    return Response(s.AssignmentOut(assignment).data)


@extend_schema(request=s.ReassignIn, responses={200: s.AssignmentOut, **WRITE_ERRORS})
@api_view(["POST"])
@permission_classes([IsManager])
@runs_as_staff
def assignment_reassign_view(request: Request, assignment_id: UUID) -> Response:
    """Move the assignment's lead to a chosen rep, or to whoever's turn it is."""
    assignment = get_object_or_404(Assignment, id=assignment_id)
    data = s.ReassignIn(data=request.data)
    data.is_valid(raise_exception=True)
    to_user = None
    if "to_user_id" in data.validated_data:
        to_user = staff_users().filter(id=data.validated_data["to_user_id"], is_active=True).first()
        # Like an unknown id in the path: a well-formed id that names no rep is a 404, not bad input.
        if to_user is None or not (routing.is_rep(to_user) and hasattr(to_user, "rep_profile")):
            raise NotFound("No active sales rep has this id.", field="to_user_id")
    new = assignment_reassign(
        lead_id=assignment.lead_id,
        actor=request.user,
        to_user=to_user,
        reason=data.validated_data.get("reason") or "",
    )
    return Response(s.AssignmentOut(new).data)


# --- Dashboard -----------------------------------------------------------------------------------------


@extend_schema(responses={200: s.DashboardOut, **api_errors(401, 403)})
@api_view(["GET"])
@permission_classes([IsStaffMember])
@runs_as_staff
def dashboard(request: Request) -> Response:
    """get_dashboard_stats()."""
    return Response(dashboard_stats())
