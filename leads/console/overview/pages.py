"""Page assembly for the overview views: contexts, keyset pages, and error re-renders.

A refused action re-renders its page with the message and the status of the
error (400, 403, 404 or 409), so bad input is never a 500 nor a silent redirect.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activity.models import ActivityStatus, ActivityType, LeadActivity
from activity.selectors import pending_follow_ups
from assignments import routing
from leads.console.cursors import encode_cursor, parse_cursor
from leads.console.lead.selectors import as_datetime
from leads.console.lead_filters import LeadFilterForm, after_cursor, filtered_leads
from leads.console.snooze import SNOOZE_CHOICES
from leads.models import Lead
from leadsys.exceptions import DomainError
from leadsys.keyset import before_row

PAGE_SIZE = 25
LEADS_PAGE_SIZE = 50


def valid_form(form: Form) -> dict[str, Any]:
    """The form's cleaned data, or a DomainError with the first error (shown on the page as a 400).

    The same forms as the lead page's actions: one set of rules for a posted comment or outcome.
    """
    if form.is_valid():
        return form.cleaned_data
    field, errors = next(iter(form.errors.items()))
    raise DomainError(errors[0], code="invalid", field=field)


def _cursor_param(request: HttpRequest, name: str) -> tuple[Any, UUID] | None:
    value = request.GET.get(name, "")
    return parse_cursor(value) if value else None


# --- Follow-ups --------------------------------------------------------------------------


def _follow_up_page(request: HttpRequest, *, param: str, owner_id: str | None) -> dict[str, Any]:
    cursor = _cursor_param(request, param)
    rows = pending_follow_ups(
        limit=PAGE_SIZE + 1,
        after_scheduled_for=cursor[0] if cursor else None,
        after_id=cursor[1] if cursor else None,
        owner_id=owner_id,
    )
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    last = page[-1] if page else None
    return {
        "rows": page,
        "param": param,
        "is_first": cursor is None,
        "next": encode_cursor(last["scheduled_for"], last["activity_id"]) if more and last else None,
    }


def follow_ups_page(request: HttpRequest, *, error: DomainError | None = None) -> HttpResponse:
    try:
        mine = _follow_up_page(request, param="mine_after", owner_id=str(request.user.id))
        everyone = (
            _follow_up_page(request, param="all_after", owner_id=None) if routing.is_manager(request.user) else None
        )
    except ValidationError as invalid:
        return render(request, "console/follow_ups.html", {"error_message": invalid.messages[0]}, status=400)
    context = {
        "mine": mine,
        "everyone": everyone,
        "now": timezone.now(),
        "snooze_choices": [(key, label) for key, (label, _when) in SNOOZE_CHOICES.items()],
        "error_message": error.message if error else None,
    }
    return render(request, "console/follow_ups.html", context, status=error.status_code if error else 200)


# --- Approvals ---------------------------------------------------------------------------


RECENTLY_DECIDED = 10


def _pending_approvals(cursor: tuple[Any, UUID] | None) -> QuerySet[LeadActivity]:
    # Served by the partial index on pending approvals, newest first.
    items = LeadActivity.objects.filter(type=ActivityType.APPROVAL, status=ActivityStatus.PENDING)
    if cursor:
        items = items.filter(before_row("lead_activity", "created_at", cursor))
    return items.select_related("lead").order_by("-created_at", "-id")


def approvals_page(
    request: HttpRequest, *, error: DomainError | None = None, failed_id: UUID | None = None
) -> HttpResponse:
    try:
        cursor = _cursor_param(request, "after")
    except ValidationError as invalid:
        return render(request, "console/approvals.html", {"error_message": invalid.messages[0]}, status=400)
    rows = list(_pending_approvals(cursor)[: PAGE_SIZE + 1])
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    decided = (
        LeadActivity.objects.filter(type=ActivityType.APPROVAL)
        .exclude(status=ActivityStatus.PENDING)
        .select_related("lead")
        .order_by("-created_at", "-id")[:RECENTLY_DECIDED]
    )
    context = {
        "approvals": page,
        "decided": [(item, as_datetime(item.metadata.get("decided_at"))) for item in decided],
        "is_first": cursor is None,
        "next": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        "error_message": error.message if error else None,
        "failed_id": failed_id,
        "posted_comment": request.POST.get("comment", "") if error else "",
    }
    return render(request, "console/approvals.html", context, status=error.status_code if error else 200)


# --- Leads -------------------------------------------------------------------------------


def lead_filter_form(request: HttpRequest) -> LeadFilterForm:
    return LeadFilterForm(request.GET or None)


def leads_for(form: LeadFilterForm) -> QuerySet[Lead]:
    """The whole filtered set (the CSV export); the list pages through it."""
    return filtered_leads(form.cleaned_data if form.is_bound else {})


def leads_page(request: HttpRequest, *, form: LeadFilterForm | None = None) -> HttpResponse:
    form = form or lead_filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "console/leads.html", {"form": form, "leads": []}, status=400)
    cursor = form.cleaned_data.get("after") if form.is_bound else None
    rows = list(after_cursor(leads_for(form), cursor)[: LEADS_PAGE_SIZE + 1])
    page, more = rows[:LEADS_PAGE_SIZE], len(rows) > LEADS_PAGE_SIZE
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "leads": page,
        "is_first": cursor is None,
        "filters_query": query.urlencode(),
        "next": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
    }
    return render(request, "console/leads.html", context)
