"""Input and output serializers of the integration API (kept apart; no business rules here)."""

from __future__ import annotations

import typing
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from activity.metadata import FollowUpAction, Intent, LeadType, Priority, SuggestedAction
from activity.models import ActivityStatus, LeadActivity
from assignments.models import Assignment, AssignmentStatus
from leads.models import Lead, LeadProduct, LeadStatus
from leadsys.api_fields import (
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictSerializer,
    StrictUUIDField,
)

PAGE_MAX = 200
PAGE_DEFAULT = 50


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO time with its offset: a bare local time would be read in a zone the caller did not choose."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # the shape of a time with an impossible part, such as 12:99
            raise serializers.ValidationError("Not a real date and time.") from None
        if parsed is not None and parsed.tzinfo is None:
            raise serializers.ValidationError("Give the time zone offset, e.g. 2030-01-31T10:00:00+05:30 or ...Z.")
        return super().to_internal_value(value)


class QueryText(serializers.CharField):
    """A query value as given: matched exactly, not trimmed (a blank one is refused by QueryParams)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)


class QueryParams(serializers.Serializer):
    """Query filters. A blank one (`?status=`) is refused, not read as "no filter": leave it out instead."""

    def to_internal_value(self, data: Any) -> Any:
        blank = {
            name: ["May not be blank; leave the parameter out to not filter by it."]
            for name in self.fields
            if name in data and data.get(name) == ""
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


# --- Leads ---------------------------------------------------------------------------------


class LeadListQuery(QueryParams):
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    source = QueryText(max_length=100, required=False)
    priority = serializers.ChoiceField(choices=typing.get_args(Priority), required=False)
    intent = serializers.ChoiceField(choices=typing.get_args(Intent), required=False)
    owner = QueryText(max_length=255, required=False, help_text="A user id, or `me`.")
    category = QueryText(max_length=100, required=False, help_text="Product category.")
    created_after = AwareDateTimeField(required=False)
    created_before = AwareDateTimeField(required=False)
    updated_since = AwareDateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)
    cursor = QueryText(max_length=200, required=False)


class LeadOut(serializers.ModelSerializer):
    priority = serializers.CharField(allow_null=True, read_only=True, help_text="From the latest ai_result.")
    intent = serializers.CharField(allow_null=True, read_only=True, help_text="From the latest ai_result.")
    owner_id = serializers.CharField(allow_null=True, read_only=True, help_text="Owner of the active assignment.")

    class Meta:
        model = Lead
        fields = [
            "id",
            "created_at",
            "updated_at",
            "name",
            "email",
            "phone",
            "company",
            "role",
            "location",
            "message",
            "source",
            "status",
            "first_response_at",
            "last_contact_at",
            "conversion_date",
            "priority",
            "intent",
            "owner_id",
        ]


class LeadPageOut(serializers.Serializer):
    results = LeadOut(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null at the end."
    )
    next = serializers.URLField(allow_null=True, help_text="This request's URL with the next page's cursor.")
    previous = serializers.URLField(allow_null=True, help_text="The page before this one; null on the first page.")


class LeadPatchIn(StrictSerializer):
    status = StrictChoiceField(choices=LeadStatus.choices)
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)


# --- Activities ----------------------------------------------------------------------------

CALL_OUTCOMES = ("connected", "no_answer", "voicemail", "wrong_number", "busy")


class ActivityOut(serializers.ModelSerializer):
    lead_id = serializers.UUIDField(read_only=True)
    metadata = serializers.DictField(allow_null=True)

    class Meta:
        model = LeadActivity
        fields = ["id", "lead_id", "created_at", "type", "status", "message", "actor_type", "actor_id", "metadata"]


class ActivityQuery(QueryParams):
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)


class NoteIn(StrictSerializer):
    type = StrictChoiceField(choices=["note"])
    message = StrictCharField(max_length=10_000)


class CallIn(NoteIn):
    type = StrictChoiceField(choices=["call"])
    outcome = StrictChoiceField(choices=CALL_OUTCOMES, required=False, help_text="Default `connected`.")
    duration_seconds = StrictIntegerField(min_value=0, max_value=86_400, required=False)


class EmailIn(NoteIn):
    type = StrictChoiceField(choices=["email"])
    subject = StrictCharField(max_length=255, required=False)


ACTIVITY_KINDS: dict[str, type[NoteIn]] = {"call": CallIn, "email": EmailIn, "note": NoteIn}


class ActivityIn(StrictSerializer):
    """What runs; the schema shows it as one of CallIn, EmailIn and NoteIn (by `type`), which it agrees with."""

    type = StrictChoiceField(choices=list(ACTIVITY_KINDS))
    message = StrictCharField(max_length=10_000)
    outcome = StrictChoiceField(choices=CALL_OUTCOMES, required=False)
    duration_seconds = StrictIntegerField(min_value=0, max_value=86_400, required=False)
    subject = StrictCharField(max_length=255, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        allowed = set(ACTIVITY_KINDS[attrs["type"]]().fields)
        extra = sorted(set(attrs) - allowed)
        if extra:
            raise serializers.ValidationError({extra[0]: f"Not accepted for a {attrs['type']}."})
        return attrs


# --- Follow-ups and approvals -----------------------------------------------------------------


class FollowUpOut(serializers.Serializer):
    activity_id = serializers.UUIDField()
    lead_id = serializers.UUIDField()
    lead_name = serializers.CharField()
    action = serializers.CharField(allow_null=True)
    scheduled_for = serializers.DateTimeField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    owner_id = serializers.CharField(allow_null=True)
    owner_name = serializers.CharField(allow_null=True)


class FollowUpQuery(QueryParams):
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)
    owner = QueryText(max_length=255, required=False, help_text="A user id, or `me`.")


class FollowUpIn(StrictSerializer):
    lead_id = StrictUUIDField()
    action = StrictChoiceField(choices=typing.get_args(FollowUpAction))
    scheduled_for = AwareDateTimeField()
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)


class FollowUpCloseIn(StrictSerializer):
    note = StrictCharField(max_length=1000, required=False, allow_blank=True, help_text="Outcome or reason.")


class ApprovalQuery(QueryParams):
    status = serializers.ChoiceField(
        choices=[ActivityStatus.PENDING, ActivityStatus.APPROVED, ActivityStatus.REJECTED], default="pending"
    )
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)


class ApprovalDecisionIn(StrictSerializer):
    comment = StrictCharField(max_length=1000)


# --- Assignments ---------------------------------------------------------------------------------


class AssignmentOut(serializers.ModelSerializer):
    lead_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "lead_id",
            "assigned_at",
            "owner_id",
            "owner_name",
            "sla_deadline",
            "sla_met",
            "response_time_minutes",
            "status",
            "completed_at",
        ]


class AssignmentQuery(QueryParams):
    status = serializers.ChoiceField(choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE)
    owner = QueryText(max_length=255, required=False, help_text="A user id, or `me`.")
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)


class AssignmentCompleteIn(StrictSerializer):
    note = StrictCharField(max_length=1000, required=False, allow_blank=True)


class ReassignIn(StrictSerializer):
    to_user_id = StrictIntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="Omit for whoever's turn it is."
    )
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)


# --- The get_lead_full() document and get_dashboard_stats(), for the schema ----------------------
# Keys and columns as the SQL functions build them (leads/migrations/0006_function_fixes.py:
# row_to_json() of each table's row); leads/api/tests/test_api_contract.py holds the two to each other.


class LeadRowOut(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = [name for name in LeadOut.Meta.fields if name not in {"priority", "intent", "owner_id"}]


class ProductRowOut(serializers.ModelSerializer):
    lead_id = serializers.UUIDField()

    class Meta:
        model = LeadProduct
        fields = ["id", "lead_id", "created_at", "category", "product", "quantity", "notes"]


class ActivityRowOut(ActivityOut):
    class Meta(ActivityOut.Meta):
        fields = [*ActivityOut.Meta.fields, "updated_at"]


class AIAnalysisOut(serializers.Serializer):
    """The latest ai_result's metadata, with a person's correction of intent/priority laid over it."""

    intent = serializers.ChoiceField(choices=typing.get_args(Intent))
    lead_type = serializers.ChoiceField(choices=typing.get_args(LeadType))
    priority = serializers.ChoiceField(choices=typing.get_args(Priority))
    suggested_action = serializers.ChoiceField(choices=typing.get_args(SuggestedAction))
    reasoning = serializers.CharField(allow_null=True, required=False)
    model = serializers.CharField()
    prompt_version = serializers.CharField()
    provider = serializers.CharField(allow_null=True, required=False)
    latency_ms = serializers.IntegerField(allow_null=True, required=False)
    prompt_tokens = serializers.IntegerField(allow_null=True, required=False)
    completion_tokens = serializers.IntegerField(allow_null=True, required=False)
    total_tokens = serializers.IntegerField(allow_null=True, required=False)
    fallback_reason = serializers.CharField(allow_null=True, required=False)
    signals = serializers.ListField(child=serializers.CharField(), allow_null=True, required=False)
    corrected_by = serializers.CharField(required=False, help_text="Who corrected intent/priority, if anyone.")
    corrected_at = serializers.DateTimeField(required=False)


class LeadDocumentOut(serializers.Serializer):
    """get_lead_full(lead_id)."""

    lead = LeadRowOut()
    products = ProductRowOut(many=True)
    current_assignment = AssignmentOut(allow_null=True, help_text="The active assignment, if any.")
    assignments = AssignmentOut(many=True, help_text="Newest first.")
    ai_analysis = AIAnalysisOut(allow_null=True)
    activities = ActivityRowOut(many=True, help_text="Newest first.")
    pending_follow_ups = ActivityRowOut(many=True, help_text="Soonest first.")
    pending_approvals = ActivityRowOut(many=True, help_text="Newest first.")


class DashboardOut(serializers.Serializer):
    """get_dashboard_stats()."""

    total_leads = serializers.IntegerField()
    new_leads_today = serializers.IntegerField(help_text="Created on today's business date.")
    pending_follow_ups = serializers.IntegerField(help_text="Pending and due within the hour.")
    pending_approvals = serializers.IntegerField()
    sla_violations = serializers.IntegerField(help_text="Active assignments past their deadline now.")
    sla_breaches_30d = serializers.IntegerField(help_text="SLA breaches recorded in the last 30 days.")
    avg_response_time_minutes = serializers.FloatField(allow_null=True, help_text="Last 30 days; null if none.")
    conversion_rate = serializers.FloatField(allow_null=True, help_text="Percent converted, last 30 days.")
