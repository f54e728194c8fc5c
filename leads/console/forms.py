"""Forms of the lead page's actions: they check the shape of the input; services check the rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from django import forms
from django.contrib.auth.models import User
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.metadata import CallMetadata, FollowUpAction, Intent, Priority
from assignments.approvals import REQUESTABLE_APPROVALS
from assignments.models import REPS_GROUP
from assignments.routing import display_name, staff_users
from leads import labels
from leads.models import LeadRole, LeadStatus


def _choices(values: tuple[str, ...], vocabulary: str, blank: str | None = None) -> list[tuple[str, str]]:
    items = labels.choices(vocabulary, values)
    return [("", blank), *items] if blank is not None else items


CALL_OUTCOMES = get_args(CallMetadata.model_fields["outcome"].annotation)
SUMMARY = {"max_length": 5000, "widget": forms.Textarea(attrs={"rows": 3})}


class TextField(forms.CharField):
    """Free text whose errors name the field in a sentence, the same on every console page."""

    def __init__(self, *, label: str, max_length: int, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=max_length, **kwargs)
        self.error_messages["max_length"] = _("%(label)s is too long (at most %(n)d characters).") % {
            "label": label,
            "n": max_length,
        }
        for validator in self.validators:
            if isinstance(validator, ProhibitNullCharactersValidator):  # PostgreSQL cannot store NUL
                validator.message = _("%(label)s contains a character that cannot be stored.") % {"label": label}


class ActionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no colon
        super().__init__(*args, **kwargs)


class CallForm(ActionForm):
    outcome = forms.ChoiceField(choices=_choices(CALL_OUTCOMES, "call_outcome"), initial="connected")
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=0, max_value=1440, required=False)
    summary = forms.CharField(label=_("What was said"), **SUMMARY)


class EmailForm(ActionForm):
    subject = forms.CharField(max_length=255)
    summary = forms.CharField(label=_("What you wrote"), **SUMMARY)


class NoteForm(ActionForm):
    text = forms.CharField(label=_("Note"), **SUMMARY)


class StatusForm(ActionForm):
    status = forms.ChoiceField(label=_("New status"), choices=LeadStatus.choices)
    reason = forms.CharField(max_length=1000, required=False)


class FollowUpForm(ActionForm):
    action = forms.ChoiceField(choices=_choices(get_args(FollowUpAction), "follow_up_action"))
    scheduled_for = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    reason = forms.CharField(max_length=1000, required=False)

    def clean_scheduled_for(self) -> Any:
        value = self.cleaned_data["scheduled_for"]
        # A minute of slack for a form filled in at "now".
        if value < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError(_("Choose a time in the future."))
        return value


class FollowUpCloseForm(ActionForm):
    outcome = TextField(label=_("Outcome"), max_length=2000, required=False)


class CompleteAssignmentForm(ActionForm):
    note = forms.CharField(max_length=1000, required=False)


class ReassignForm(ActionForm):
    to_user = forms.ModelChoiceField(
        label=_("New owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Whoever's turn it is"),
    )
    reason = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        field.queryset = (
            staff_users()
            .filter(is_active=True, groups__name=REPS_GROUP)
            .order_by("first_name", "last_name", "username")
        )
        field.label_from_instance = display_name


class ApprovalRequestForm(ActionForm):
    approval_type = forms.ChoiceField(label=_("Approval for"), choices=_choices(REQUESTABLE_APPROVALS, "approval_type"))
    reason = forms.CharField(
        label=_("What should be approved"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApprovalDecideForm(ActionForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"required": _("Choose approve or reject."), "invalid_choice": _("Choose approve or reject.")},
    )
    # Not required here: "a decision needs a comment" is the service's rule, said once, there.
    comment = TextField(label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectAIForm(ActionForm):
    intent = forms.ChoiceField(choices=_choices(get_args(Intent), "intent", blank="— keep —"), required=False)
    priority = forms.ChoiceField(choices=_choices(get_args(Priority), "priority", blank="— keep —"), required=False)
    reason = forms.CharField(max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("intent") and not data.get("priority"):
            raise forms.ValidationError(_("Choose the intent or the priority the lead should have."))
        return data


class ContactForm(ActionForm):
    """Corrections of the contact details; the rules are the intake's (leads.contact_details, via the service)."""

    name = forms.CharField(label=_("Name"), max_length=255)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False, help_text=_("Stored in E.164"))
    company = forms.CharField(label=_("Company"), max_length=255, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Not given")), *LeadRole.choices], required=False)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
