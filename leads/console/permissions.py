"""Who may use the console and who may act for others.

The rules themselves live in assignments.routing (one definition for routing,
services and pages); these helpers turn them into 403s for views.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from assignments.guards import runs_as_staff
from assignments.routing import is_manager, is_rep, is_staff_member

__all__ = ["is_manager", "is_rep", "is_staff_member", "staff_required", "manager_required", "require_manager"]

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in (else the login page) and a sales rep or manager (else 403); the view then
    runs as the database role `authenticated` on the user's behalf (assignments.guards.runs_as_staff)."""
    as_staff = runs_as_staff(view)

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied("Only sales reps and managers can use the console.")
        return as_staff(request, *args, **kwargs)

    wrapped.runs_as_staff = True  # type: ignore[attr-defined]

    return wrapped


def manager_required(view: View) -> View:
    """staff_required, and a sales manager (else 403)."""

    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_manager(request.user):
            raise PermissionDenied("Only sales managers can do this.")
        return view(request, *args, **kwargs)

    return wrapped


def require_manager(user: Any) -> None:
    if not is_manager(user):
        raise PermissionDenied("Only a sales manager can do that.")
