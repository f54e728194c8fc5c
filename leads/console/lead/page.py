"""What the lead page shows, built from get_lead_full() (one query for the lead, its products and events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib.auth.models import User
from django.utils import timezone

from leads.console import forms
from leads.console.lead.selectors import as_datetime, user_names
from leads.console.permissions import is_manager
from leads.console.sla_text import sla_left
from leads.selectors import catalogue_pairs, earlier_enquiries, lead_full

# name -> form class; every action's form, keyed as the templates and URLs name them.
ACTION_FORMS: dict[str, type[django_forms.Form]] = {
    "call": forms.CallForm,
    "email": forms.EmailForm,
    "note": forms.NoteForm,
    "status": forms.StatusForm,
    "follow_up": forms.FollowUpForm,
    "complete": forms.CompleteAssignmentForm,
    "reassign": forms.ReassignForm,
    "approval_request": forms.ApprovalRequestForm,
    "correct_ai": forms.CorrectAIForm,
    "contact": forms.ContactForm,
}
MANAGER_ONLY = ("reassign",)
# Past this many characters the page shows the message's beginning and the whole of it behind
# "Show all": a pasted tender text runs to pages and would push everything else out of sight.
MESSAGE_PREVIEW_CHARS = 1_200


def action_auto_id(name: str) -> str:
    # Several action forms have a `reason`: ids carry the form's name so each is unique on the page.
    return f"id_{name}_%s"


@dataclass
class TimelineItem:
    type: str
    type_label: str
    status: str
    message: str
    created_at: datetime | None
    who: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _humanize(code: Any) -> str:
    return str(code).replace("_", " ").capitalize() if code else "—"


def _who(event: dict[str, Any], names: dict[str, str]) -> str:
    actor_type, actor_id = event.get("actor_type"), event.get("actor_id")
    if actor_type == "ai":
        return "AI"
    if actor_type == "user":
        return names.get(str(actor_id), f"User {actor_id}" if actor_id else "A user")
    return "System"


def _assignment(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **row,
        "assigned_at": as_datetime(row.get("assigned_at")),
        "sla_deadline": as_datetime(row.get("sla_deadline")),
        "completed_at": as_datetime(row.get("completed_at")),
    }


def _pending(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "created_at": as_datetime(row.get("created_at")),
            "scheduled_for": as_datetime((row.get("metadata") or {}).get("scheduled_for")),
            "who": _who(row, names),
        }
        for row in rows
    ]


def message_shown(text: str | None) -> dict[str, Any] | None:
    """The message, its length, and for a long one a preview cut at a space (`preview` is None when short)."""
    if not text:
        return None
    if len(text) <= MESSAGE_PREVIEW_CHARS:
        return {"text": text, "length": len(text), "preview": None}
    cut = text[:MESSAGE_PREVIEW_CHARS]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > MESSAGE_PREVIEW_CHARS // 2:  # a word cut in half only when there is no space to cut at
        cut = cut[:space]
    return {"text": text, "length": len(text), "preview": cut.rstrip() + "…"}


def lead_page_context(
    *, lead_id: UUID, user: User, bound: dict[str, django_forms.Form] | None = None
) -> dict[str, Any] | None:
    """Everything the page renders, or None for an unknown lead. `bound` holds a form that failed validation."""
    document = lead_full(lead_id=lead_id)
    if document is None:
        return None
    from activity.models import ActivityType

    labels = dict(ActivityType.choices)
    events = document["activities"]
    names = user_names(e.get("actor_id") for e in events)
    names.update(user_names(a.get("owner_id") for a in document["assignments"]))
    timeline = [
        TimelineItem(
            type=e["type"],
            type_label=str(labels.get(e["type"], e["type"])),
            status=e["status"],
            message=e["message"],
            created_at=as_datetime(e.get("created_at")),
            who=_who(e, names),
            metadata=e.get("metadata") or {},
        )
        for e in events
    ]
    ai = document["ai_analysis"]
    if ai:
        ai = {**ai, **{f"{key}_label": _humanize(ai.get(key)) for key in ("intent", "lead_type", "suggested_action")}}
        if ai.get("corrected_by"):
            ai["corrected_by_name"] = names.get(str(ai["corrected_by"]), ai["corrected_by"])
    manager = is_manager(user)
    action_forms = {
        name: (bound or {}).get(name) or form_class(auto_id=action_auto_id(name))
        for name, form_class in ACTION_FORMS.items()
    }
    if not manager:
        for name in MANAGER_ONLY:
            action_forms.pop(name)
    current = _assignment(document["current_assignment"])
    lead = document["lead"]
    if not (bound or {}).get("contact"):
        # The correction form starts from what is stored, so a typo is fixed by editing one field.
        action_forms["contact"] = forms.ContactForm(
            initial={field: lead.get(field) or "" for field in forms.ContactForm.base_fields},
            auto_id=action_auto_id("contact"),
        )
    lead["created_at"] = as_datetime(lead.get("created_at"))
    products = document["products"]
    listed = catalogue_pairs(products)
    for product in products:
        product["in_catalogue"] = (product.get("category"), product.get("product")) in listed
    earlier = earlier_enquiries(email=lead["email"], phone=lead.get("phone"), before=lead["created_at"])
    for item in earlier:
        item["created_at"] = timezone.localtime(item["created_at"])
    ai_result_id = next((e["id"] for e in events if e["type"] == ActivityType.AI_RESULT), None)
    return {
        "lead": lead,
        "lead_message": message_shown(lead.get("message")),
        "products": products,
        "earlier": earlier,
        "ai": ai,
        "ai_result_id": ai_result_id,
        "current": current,
        "current_sla": sla_left(current["sla_deadline"], timezone.now()) if current else None,
        "latest_assignment": _assignment(document["assignments"][0] if document["assignments"] else None),
        "timeline": timeline,
        "pending_follow_ups": _pending(document["pending_follow_ups"], names),
        "pending_approvals": _pending(document["pending_approvals"], names),
        "forms": action_forms,
        "failed_form": next(iter(bound), None) if bound else None,
        "is_manager": manager,
        "decide_form": forms.ApprovalDecideForm(),
        "close_form": forms.FollowUpCloseForm(),
    }
