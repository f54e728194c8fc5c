"""Dashboard, follow-ups due, approvals and the leads list: thin views over selectors and services."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from activity.selectors import staff_reads_recent
from assignments import approvals as approval_services
from assignments import followups
from leads.console.csv_export import leads_csv_response
from leads.console.dashboard_data import dashboard_context
from leads.console.forms import ApprovalDecideForm, FollowUpCloseForm
from leads.console.overview import pages
from leads.console.permissions import manager_required, staff_required
from leads.console.snooze import follow_up_snooze
from leadsys.exceptions import DomainError


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", dashboard_context())


# --- Follow-ups due ----------------------------------------------------------------------


@require_GET
@staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    return pages.follow_ups_page(request)


@require_POST
@staff_required
def follow_up_complete(request: HttpRequest, activity_id: UUID) -> HttpResponse:
    try:
        data = pages.valid_form(FollowUpCloseForm(request.POST))
        followups.follow_up_complete(activity_id=activity_id, actor=request.user, outcome=data["outcome"] or None)
    except DomainError as error:
        return pages.follow_ups_page(request, error=error)
    return redirect("console:follow_ups")


@require_POST
@staff_required
def follow_up_snooze_view(request: HttpRequest, activity_id: UUID) -> HttpResponse:
    try:
        follow_up_snooze(activity_id=activity_id, actor=request.user, until=request.POST.get("until", ""))
    except DomainError as error:
        return pages.follow_ups_page(request, error=error)
    return redirect("console:follow_ups")


# --- Approvals ---------------------------------------------------------------------------


@require_GET
@manager_required
def approvals(request: HttpRequest) -> HttpResponse:
    return pages.approvals_page(request)


@require_POST
@manager_required
def approval_decide(request: HttpRequest, activity_id: UUID) -> HttpResponse:
    try:
        data = pages.valid_form(ApprovalDecideForm(request.POST))
        approval_services.approval_decide(
            activity_id=activity_id,
            actor=request.user,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
    except DomainError as error:
        return pages.approvals_page(request, error=error, failed_id=activity_id)
    return redirect("console:approvals")


# --- Leads -------------------------------------------------------------------------------


@require_GET
@staff_required
def leads(request: HttpRequest) -> HttpResponse:
    return pages.leads_page(request)


@require_GET
@staff_required
def leads_csv(request: HttpRequest) -> HttpResponseBase:
    form = pages.lead_filter_form(request)
    if form.is_bound and not form.is_valid():
        return pages.leads_page(request, form=form)
    filters = {key: value for key, value in (form.cleaned_data if form.is_bound else {}).items() if value}
    return leads_csv_response(pages.leads_for(form), user=request.user, filters=filters)


# --- Audit of staff reads ---------------------------------------------------------------------


@require_GET
@manager_required
def staff_reads(request: HttpRequest) -> HttpResponse:
    """Who exported or bulk-read leads, when, with which filters, and how many rows."""
    return render(request, "console/staff_reads.html", {"reads": staff_reads_recent()})
