"""My queue and the lead page with its actions.

Each action is its own POST URL: a form checks the input, one service does
the work and appends its event. Bad input re-renders the page with the error
and a 4xx status; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from activity import corrections
from activity.models import ActivityType, ActorType
from activity.services import activity_append
from assignments import approvals, followups
from assignments import services as assignments
from assignments.approvals import approval_request
from assignments.completion import assignment_complete
from assignments.models import REPS_GROUP
from assignments.routing import staff_users
from assignments.selectors import latest_ai_result
from leads import labels
from leads.console import forms
from leads.console.lead import selectors as lead_selectors
from leads.console.lead.page import ACTION_FORMS, action_auto_id, lead_page_context
from leads.console.permissions import is_manager, require_manager, staff_required
from leads.console.sla_text import sla_left
from leads.models import Lead
from leadsys.exceptions import DomainError, NotFound

Data = dict[str, Any]


@staff_required
def my_queue(request: HttpRequest) -> HttpResponse:
    owner = request.user
    wanted = request.GET.get("owner")
    if wanted and wanted != str(request.user.id):
        require_manager(request.user)
        owner = staff_users().filter(id=int(wanted)).first() if wanted.isdigit() and len(wanted) < 10 else None
        if owner is None:
            raise Http404("No such user.")
    now = timezone.now()
    rows = lead_selectors.queue_rows(owner_id=str(owner.id))
    reps = staff_users().filter(is_active=True, groups__name=REPS_GROUP).order_by("first_name", "username")
    context = {
        "rows": [(row, sla_left(row.sla_deadline, now)) for row in rows],
        "owner": owner,
        "is_own_queue": owner == request.user,
        "reps": reps if is_manager(request.user) else [],
        "refresh_seconds": settings.CONSOLE_REFRESH_SECONDS,
    }
    return render(request, "console/queue.html", context)


@staff_required
def lead_detail(request: HttpRequest, lead_id: UUID) -> HttpResponse:
    return _render_lead(request, lead_id)


def _render_lead(
    request: HttpRequest,
    lead_id: UUID,
    *,
    bound: dict[str, django_forms.Form] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = lead_page_context(lead_id=lead_id, user=request.user, bound=bound)
    if context is None:
        raise Http404("No such lead.")
    context["error"] = error
    return render(request, "console/lead.html", context, status=status)


def _action(form_name: str, perform: Callable[..., str]) -> Callable[..., HttpResponse]:
    """A POST view: validate the form, call the service via `perform`, report its message."""
    form_class = ACTION_FORMS.get(form_name) or getattr(forms, form_name)

    @require_POST
    @staff_required
    def view(request: HttpRequest, lead_id: UUID, **ids: UUID) -> HttpResponse:
        if not Lead.objects.filter(id=lead_id).exists():
            raise Http404("No such lead.")
        form = form_class(request.POST, auto_id=action_auto_id(form_name))
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            return _render_lead(request, lead_id, bound={form_name: form}, error=first, status=400)
        try:
            done = perform(request.user, lead_id, form.cleaned_data, **ids)
        except DomainError as exc:
            return _render_lead(request, lead_id, bound={form_name: form}, error=exc.message, status=exc.status_code)
        messages.success(request, done)
        return redirect("console:lead", lead_id=lead_id)

    view.__name__ = f"lead_{form_name}"
    return view


def _own_item(lead_id: UUID, activity_id: UUID, type: str) -> None:
    # The services find items by id alone: a URL must not reach another lead's item.
    if not lead_selectors.lead_activity_exists(lead_id=lead_id, activity_id=activity_id, type=type):
        raise Http404("No such item on this lead.")


def _log_call(user: User, lead_id: UUID, data: Data) -> str:
    minutes = data["duration_minutes"]
    assignments.contact_log(
        lead_id=lead_id,
        actor=user,
        channel="call",
        summary=data["summary"],
        outcome=data["outcome"],
        duration_seconds=minutes * 60 if minutes is not None else None,
    )
    return "Call logged."


def _log_email(user: User, lead_id: UUID, data: Data) -> str:
    assignments.contact_log(
        lead_id=lead_id, actor=user, channel="email", summary=data["summary"], subject=data["subject"]
    )
    return "Email logged."


def _add_note(user: User, lead_id: UUID, data: Data) -> str:
    activity_append(
        lead_id=lead_id,
        type=ActivityType.NOTE,
        message=data["text"],
        actor_type=ActorType.USER,
        actor_id=str(user.id),
    )
    return "Note added."


def _change_status(user: User, lead_id: UUID, data: Data) -> str:
    event = assignments.lead_status_change(
        lead_id=lead_id, actor=user, to_status=data["status"], reason=data["reason"] or None
    )
    before, after = (labels.label("status", event.metadata[k]) for k in ("from_status", "to_status"))
    return f"Status changed from {before} to {after}."


def _schedule_follow_up(user: User, lead_id: UUID, data: Data) -> str:
    followups.follow_up_add(
        lead_id=lead_id,
        actor=user,
        action=data["action"],
        scheduled_for=data["scheduled_for"],
        reason=data["reason"] or None,
    )
    when = timezone.localtime(data["scheduled_for"])
    return f"Follow-up scheduled for {when:%d %b %Y %H:%M}."


def _complete_follow_up(user: User, lead_id: UUID, data: Data, *, item_id: UUID) -> str:
    _own_item(lead_id, item_id, ActivityType.FOLLOW_UP)
    followups.follow_up_complete(activity_id=item_id, actor=user, outcome=data["outcome"] or None)
    return "Follow-up completed."


def _cancel_follow_up(user: User, lead_id: UUID, data: Data, *, item_id: UUID) -> str:
    _own_item(lead_id, item_id, ActivityType.FOLLOW_UP)
    followups.follow_up_cancel(activity_id=item_id, actor=user, reason=data["outcome"] or None)
    return "Follow-up cancelled."


def _complete_assignment(user: User, lead_id: UUID, data: Data) -> str:
    assignment_complete(lead_id=lead_id, actor=user, note=data["note"])
    return "Assignment completed."


def _reassign(user: User, lead_id: UUID, data: Data) -> str:
    new = assignments.assignment_reassign(lead_id=lead_id, actor=user, to_user=data["to_user"], reason=data["reason"])
    return f"Reassigned to {new.owner_name}."


def _request_approval(user: User, lead_id: UUID, data: Data) -> str:
    approval_request(lead_id=lead_id, actor=user, approval_type=data["approval_type"], reason=data["reason"])
    return "Approval requested: a manager will decide."


def _decide_approval(user: User, lead_id: UUID, data: Data, *, item_id: UUID) -> str:
    _own_item(lead_id, item_id, ActivityType.APPROVAL)
    approve = data["decision"] == "approve"
    approvals.approval_decide(activity_id=item_id, actor=user, approve=approve, comment=data["comment"])
    return "Approved." if approve else "Rejected."


def _correct_ai(user: User, lead_id: UUID, data: Data) -> str:
    latest = latest_ai_result(lead_id=lead_id)
    if latest is None:
        raise NotFound("This lead has no AI analysis to correct.")
    corrections.ai_correct(
        ai_result_id=latest.id,
        actor_id=str(user.id),
        intent=data["intent"] or None,
        priority=data["priority"] or None,
        reason=data["reason"] or None,
    )
    return "AI analysis corrected."


def _edit_contact(user: User, lead_id: UUID, data: Data) -> str:
    event = assignments.lead_contact_update(
        lead_id=lead_id, actor=user, changes={field: data[field] or None for field in forms.ContactForm.base_fields}
    )
    if event is None:
        return "Nothing changed."
    return "Contact details corrected: " + ", ".join(
        str(forms.ContactForm.base_fields[field].label).lower() for field in event.metadata["changes"]
    )


log_call = _action("call", _log_call)
log_email = _action("email", _log_email)
add_note = _action("note", _add_note)
change_status = _action("status", _change_status)
schedule_follow_up = _action("follow_up", _schedule_follow_up)
complete_follow_up = _action("FollowUpCloseForm", _complete_follow_up)
cancel_follow_up = _action("FollowUpCloseForm", _cancel_follow_up)
complete_assignment = _action("complete", _complete_assignment)
reassign = _action("reassign", _reassign)
request_approval = _action("approval_request", _request_approval)
decide_approval = _action("ApprovalDecideForm", _decide_approval)
correct_ai = _action("correct_ai", _correct_ai)
edit_contact = _action("contact", _edit_contact)
