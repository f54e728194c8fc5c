"""The display layer: every vocabulary value has a label, one phone format, one date format, relative times."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

from django.utils import timezone

from activity.metadata import CallMetadata, FollowUpAction, Intent, LeadType, Priority, SuggestedAction
from assignments.approvals import HIGH_VALUE_APPROVAL, REQUESTABLE_APPROVALS
from leads import labels

VOCABULARIES = {
    "intent": get_args(Intent),
    "lead_type": get_args(LeadType),
    "priority": get_args(Priority),
    "suggested_action": get_args(SuggestedAction),
    "follow_up_action": get_args(FollowUpAction),
    "call_outcome": get_args(CallMetadata.model_fields["outcome"].annotation),
    "approval_type": (HIGH_VALUE_APPROVAL, *REQUESTABLE_APPROVALS),
}


def test_it_has_a_written_label_for_every_value_of_every_vocabulary() -> None:
    for vocabulary, values in VOCABULARIES.items():
        missing = set(values) - set(labels.LABELS[vocabulary])
        assert not missing, f"{vocabulary} has no label for {missing}"
        for value in values:
            assert "_" not in labels.label(vocabulary, value)
    assert labels.label("source", "website_form") == "Website form"
    assert labels.label("call_outcome", "no_answer") == "No answer"
    assert labels.label("approval_type", "high_value_lead") == "High-value lead"
    assert labels.label("suggested_action", "call_within_30_min") == "Call within 30 minutes"
    assert labels.label("priority", "high") == "High"


def test_it_humanizes_an_unknown_value_and_shows_a_dash_for_none() -> None:
    assert labels.label("intent", "brand_new_thing") == "Brand new thing"
    assert labels.label("intent", None) == "—"


def test_it_formats_every_phone_one_way() -> None:
    assert labels.phone_display("+919845012345") == "+91 98450 12345"
    assert labels.phone_display("+91 9876543210") == "+91 98765 43210"
    assert labels.phone_display("not a phone") == "not a phone"
    assert labels.phone_display(None) == ""


def test_it_says_times_one_way_and_relative_times_in_words() -> None:
    now = timezone.now()
    assert labels.relative(now + timedelta(minutes=28, seconds=30), now) == "in 28 min"
    assert labels.relative(now - timedelta(hours=3, minutes=5), now) == "3 h ago"
    assert labels.relative(now - timedelta(days=3), now) == "3 days ago"
    at = timezone.localtime(now)
    assert labels.when(now) == at.strftime("%d %b %Y, %H:%M")
