"""One metadata schema per activity type; every write path validates here.

The plan's shapes (AIResultActivity, FollowUpActivity, ApprovalActivity,
EmailActivity, and the assignment/status_change examples), made strict: a
value the SQL functions will read (a time, a priority) must have the right
type before it is stored, so no malformed row can reach them (SEED-NOTES #6).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from leadsys.exceptions import DomainError

Intent = Literal[
    "quote_request",
    "product_inquiry",
    "site_visit_request",
    "sample_request",
    "dealership_partnership",
    "support_complaint",
    "job_application",
    "spam",
    "other",
]
LeadType = Literal["home_owner", "architect", "builder", "contractor", "interior_designer", "dealer", "other"]
Priority = Literal["high", "medium", "low"]
SuggestedAction = Literal[
    "call_within_30_min",
    "call_today",
    "schedule_site_visit",
    "send_samples",
    "send_catalog",
    "nurture_email",
    "forward_to_support",
    "discard_spam",
]
FollowUpAction = Literal["call", "email", "meeting", "site_visit", "send_samples", "send_catalog", "whatsapp"]

Short = Field(default=None, max_length=255)


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AIResultMetadata(_Schema):
    intent: Intent
    lead_type: LeadType
    priority: Priority
    suggested_action: SuggestedAction
    reasoning: str | None = Field(default=None, max_length=4000)
    model: str = Field(max_length=255)
    prompt_version: str = Field(max_length=50)
    provider: str | None = Short
    latency_ms: int | None = Field(default=None, ge=0)
    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)
    total_tokens: int | None = Field(default=None, ge=0)
    fallback_reason: str | None = Field(default=None, max_length=1000)
    signals: list[str] | None = None


class AICorrectionMetadata(_Schema):
    overrides: str = Field(max_length=36)  # id of the ai_result it corrects
    intent: Intent | None = None
    priority: Priority | None = None
    previous_intent: Intent | None = None
    previous_priority: Priority | None = None
    reason: str | None = Field(default=None, max_length=1000)


class FollowUpMetadata(_Schema):
    action: FollowUpAction
    scheduled_for: AwareDatetime
    reason: str | None = Field(default=None, max_length=1000)
    # Decision data, added when the follow-up is completed or cancelled.
    decided_by: str | None = Short
    decided_at: AwareDatetime | None = None
    outcome: str | None = Field(default=None, max_length=2000)
    reminder_sent_at: AwareDatetime | None = None


class ApprovalMetadata(_Schema):
    approval_type: str = Field(max_length=100)
    ai_recommendation: str | None = Field(default=None, max_length=1000)
    requires_manager: bool = False
    decided_by: str | None = Short
    decided_by_name: str | None = Short
    decided_at: AwareDatetime | None = None
    comment: str | None = Field(default=None, max_length=2000)


class EmailMetadata(_Schema):
    template: str = Field(max_length=100)
    channel: str = Field(default="console", max_length=50)
    direction: Literal["outbound", "inbound"] = "outbound"
    to: str | None = Short
    subject: str | None = Short
    provider_message_id: str | None = Short
    error: str | None = Field(default=None, max_length=2000)
    retry_count: int = Field(default=0, ge=0)


class AssignmentMetadata(_Schema):
    assigned_by: str = Field(default="system", max_length=255)
    assignment_id: str | None = Field(default=None, max_length=36)
    owner_id: str = Field(max_length=255)
    owner_name: str | None = Short
    sla_deadline: AwareDatetime
    priority: Priority | None = None
    rule: str | None = Short
    candidates: list[dict[str, Any]] | None = None
    reason: str | None = Field(default=None, max_length=1000)
    previous_owner_id: str | None = Short


class StatusChangeMetadata(_Schema):
    from_status: str = Field(max_length=50)
    to_status: str = Field(max_length=50)
    reason: str | None = Field(default=None, max_length=1000)


class CallMetadata(_Schema):
    direction: Literal["outbound", "inbound"] = "outbound"
    outcome: Literal["connected", "no_answer", "voicemail", "wrong_number", "busy"] = "connected"
    duration_seconds: int | None = Field(default=None, ge=0, le=86400)


class NoteMetadata(_Schema):
    model_config = ConfigDict(extra="allow")
    kind: str | None = Field(default=None, max_length=50)


class ConsentMetadata(_Schema):
    privacy_notice_version: str = Field(max_length=50)
    privacy_accepted_at: AwareDatetime
    marketing_opt_in: bool
    ip_address: str | None = Field(default=None, max_length=45)


class SLABreachMetadata(_Schema):
    assignment_id: str = Field(max_length=36)
    owner_id: str = Field(max_length=255)
    sla_deadline: AwareDatetime
    detected_at: AwareDatetime
    notified: list[str] = Field(default_factory=list)
    reassigned_to: str | None = Short


class JobFailedMetadata(_Schema):
    job: str = Field(max_length=100)
    attempts: int = Field(ge=0)
    error: str = Field(max_length=2000)


SCHEMAS: dict[str, type[_Schema]] = {
    "ai_result": AIResultMetadata,
    "ai_correction": AICorrectionMetadata,
    "follow_up": FollowUpMetadata,
    "approval": ApprovalMetadata,
    "email": EmailMetadata,
    "assignment": AssignmentMetadata,
    "status_change": StatusChangeMetadata,
    "call": CallMetadata,
    "note": NoteMetadata,
    "consent": ConsentMetadata,
    "sla_breach": SLABreachMetadata,
    "job_failed": JobFailedMetadata,
}


def validate_metadata(activity_type: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Return the metadata as stored JSON, or raise DomainError naming the bad key."""
    schema = SCHEMAS.get(activity_type)
    if schema is None:
        raise DomainError(f"Unknown activity type {activity_type!r}.", code="invalid_type", field="type")
    try:
        model = schema.model_validate(metadata or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "metadata"
        raise DomainError(
            f"Invalid {activity_type} metadata: {where}: {first['msg']}.", code="invalid_metadata", field="metadata"
        ) from exc
    return model.model_dump(mode="json", exclude_none=True)


def iso(value: datetime) -> str:
    """A time as stored in metadata: ISO 8601 with its offset."""
    return value.isoformat()
