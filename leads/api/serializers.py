"""Input and output serializers of the integration API (kept apart; no business rules here)."""

from __future__ import annotations

import typing
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from activity.metadata import FollowUpAction, Intent, Priority
from activity.models import ActivityStatus, LeadActivity
from assignments.models import Assignment, AssignmentStatus
from leads.models import Lead, LeadStatus
from leadsys.api_fields import StrictCharField, StrictChoiceField, StrictIntegerField, StrictUUIDField

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
    source = serializers.CharField(max_length=100, required=False)
    priority = serializers.ChoiceField(choices=typing.get_args(Priority), required=False)
    intent = serializers.ChoiceField(choices=typing.get_args(Intent), required=False)
    owner = serializers.CharField(max_length=255, required=False, help_text="A user id, or `me`.")
    category = serializers.CharField(max_length=100, required=False, help_text="Product category.")
    created_after = AwareDateTimeField(required=False)
    created_before = AwareDateTimeField(required=False)
    updated_since = AwareDateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)
    cursor = serializers.CharField(max_length=200, required=False)


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
    next_cursor = serializers.CharField(allow_null=True)


class LeadPatchIn(serializers.Serializer):
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


class ActivityIn(serializers.Serializer):
    type = StrictChoiceField(choices=["call", "email", "note"])
    message = StrictCharField(max_length=10_000)
    outcome = StrictChoiceField(choices=CALL_OUTCOMES, required=False, help_text="call only")
    duration_seconds = StrictIntegerField(min_value=0, max_value=86_400, required=False, help_text="call only")
    subject = StrictCharField(max_length=255, required=False, help_text="email only")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        allowed = {"call": {"outcome", "duration_seconds"}, "email": {"subject"}, "note": set()}[attrs["type"]]
        extra = sorted({"outcome", "duration_seconds", "subject"} & set(attrs) - allowed)
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
    owner = serializers.CharField(max_length=255, required=False, help_text="A user id, or `me`.")


class FollowUpIn(serializers.Serializer):
    lead_id = StrictUUIDField()
    action = StrictChoiceField(choices=typing.get_args(FollowUpAction))
    scheduled_for = AwareDateTimeField()
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)


class FollowUpCloseIn(serializers.Serializer):
    note = StrictCharField(max_length=1000, required=False, allow_blank=True, help_text="Outcome or reason.")


class ApprovalQuery(QueryParams):
    status = serializers.ChoiceField(
        choices=[ActivityStatus.PENDING, ActivityStatus.APPROVED, ActivityStatus.REJECTED], default="pending"
    )
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)


class ApprovalDecisionIn(serializers.Serializer):
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
    owner = serializers.CharField(max_length=255, required=False, help_text="A user id, or `me`.")
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, default=PAGE_DEFAULT)


class AssignmentCompleteIn(serializers.Serializer):
    note = StrictCharField(max_length=1000, required=False, allow_blank=True)


class ReassignIn(serializers.Serializer):
    to_user_id = StrictIntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="Omit for whoever's turn it is."
    )
    reason = StrictCharField(max_length=1000, required=False, allow_blank=True)
