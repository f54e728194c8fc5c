"""Held submissions: the form's doubtful submissions, reviewed by a sales manager.

They live with intake, not in leads/console/: releasing one is intake's own write
path (lead_submit), and surfaces never import each other. The page wears the
console's layout and sits under /console/held/ (wired in leadsys/urls.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assignments.routing import is_manager
from leads.intake import services
from leads.models import HeldStatus, HeldSubmission
from leadsys.exceptions import DomainError
from leadsys.keyset import InvalidCursor, before_row, decode_cursor, encode_cursor

PAGE_SIZE = 25
TEMPLATE = "console/held_submissions.html"


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the login page) and a sales manager (else 403): held items hold personal data."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_manager(request.user):
            raise PermissionDenied("Only sales managers can review held submissions.")
        return view(request, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, *, error: DomainError | None = None) -> HttpResponse:
    try:
        value = request.GET.get("after", "")
        cursor = decode_cursor(value) if value else None
    except InvalidCursor:
        message = _("This page link is not valid; go back to the first page.")
        return render(request, TEMPLATE, {"held": [], "error_message": message}, status=400)
    items = HeldSubmission.objects.filter(status=HeldStatus.HELD)  # the partial index, newest first
    if cursor:
        items = items.filter(before_row(HeldSubmission._meta.db_table, "created_at", cursor))
    rows = list(items.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    context = {
        "held": page,
        "is_first": cursor is None,
        "next": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        "error_message": error.message if error else None,
    }
    return render(request, TEMPLATE, context, status=error.status_code if error else 200)


@require_GET
@manager_required
def held_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@manager_required
def held_release(request: HttpRequest, held_id: UUID) -> HttpResponse:
    try:
        result = services.held_submission_release(held_id=held_id, actor=request.user)
    except DomainError as error:
        return _page(request, error=error)
    done = _("Released: it is now a lead (merged into today's lead from the same email).") if result.merged else None
    messages.success(request, done or _("Released: it is now a lead, with its acknowledgement and triage."))
    return redirect("held:list")


@require_POST
@manager_required
def held_discard(request: HttpRequest, held_id: UUID) -> HttpResponse:
    try:
        services.held_submission_discard(held_id=held_id, actor=request.user)
    except DomainError as error:
        return _page(request, error=error)
    messages.success(request, _("Discarded: its details were erased."))
    return redirect("held:list")
