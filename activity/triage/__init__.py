"""AI triage: classify a lead with the configured provider.

`triage(snapshot)` always returns metadata valid for an `ai_result` event:
the `openai` provider falls back to `rules` (reason recorded) whenever the
model is unreachable or answers outside the vocabulary.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from activity.metadata import AIResultMetadata
from activity.triage import rules
from activity.triage.snapshot import LeadSnapshot

__all__ = ["LeadSnapshot", "triage"]


def triage(snapshot: LeadSnapshot) -> dict[str, Any]:
    if settings.TRIAGE_PROVIDER == "openai":
        from activity.triage import openai_provider

        result = openai_provider.classify(snapshot)
    else:
        result = rules.classify(snapshot)
    return AIResultMetadata.model_validate(result).model_dump(mode="json", exclude_none=True)
