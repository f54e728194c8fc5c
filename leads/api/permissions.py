"""Who may use the API: sales reps and managers (by group); some actions are managers' only."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from assignments import routing


class IsStaffMember(BasePermission):
    message = "Only sales reps and managers can use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        return routing.is_staff_member(request.user)


class IsManager(BasePermission):
    message = "Only a sales manager can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return routing.is_manager(request.user)
