"""People correcting the AI, and how often they agree with it.

A correction never edits the ai_result (the log is append-only): it is a new
`ai_correction` event naming the ai_result it overrides, with the values the
person chose and the ones the AI had.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from django.db import connection, transaction

from activity.models import ActivityType, ActorType, LeadActivity
from activity.services import activity_append
from leadsys.exceptions import DomainError, NotFound

CORRECTABLE = ("intent", "priority")


@transaction.atomic
def ai_correct(
    *,
    ai_result_id: UUID,
    actor_id: str,
    intent: str | None = None,
    priority: str | None = None,
    reason: str | None = None,
) -> LeadActivity:
    """Record that a rep or manager overrides the AI's intent and/or priority."""
    ai_result = LeadActivity.objects.filter(id=ai_result_id, type=ActivityType.AI_RESULT).first()
    if ai_result is None:
        raise NotFound("There is no AI result with that id.", field="overrides")
    chosen = {"intent": intent, "priority": priority}
    if all(value is None for value in chosen.values()):
        raise DomainError("Give the intent or the priority the lead should have.", code="required", field="intent")
    previous = ai_result.metadata or {}
    changes = {name: value for name, value in chosen.items() if value is not None and value != previous.get(name)}
    if not changes:
        raise DomainError("That is what the AI said already: nothing to correct.", code="no_change", field="intent")
    described = ", ".join(f"{name} {previous.get(name)} → {value}" for name, value in changes.items())
    return activity_append(
        lead_id=ai_result.lead_id,
        type=ActivityType.AI_CORRECTION,
        message=f"AI corrected: {described}",
        actor_type=ActorType.USER,
        actor_id=actor_id,
        metadata={
            "overrides": str(ai_result.id),
            **changes,
            **{f"previous_{name}": previous.get(name) for name in changes},
            "reason": reason,
        },
    )


@dataclass
class Agreement:
    """An ai_result nobody corrected counts as agreed with."""

    ai_results: int = 0
    corrected: dict[str, int] = field(default_factory=dict)  # field -> ai_results corrected on it
    changes: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)  # field -> (ai, person) -> n

    def rate(self, name: str) -> float | None:
        if not self.ai_results:
            return None
        return (self.ai_results - self.corrected.get(name, 0)) / self.ai_results


def ai_agreement() -> Agreement:
    """The counts activity/migrations/0011 keeps as results and corrections are appended."""
    agreement = Agreement(corrected=dict.fromkeys(CORRECTABLE, 0), changes={name: Counter() for name in CORRECTABLE})
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT metric, field, ai_value, person_value, sum(n)::bigint FROM ai_agreement_counts
            GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0
            """
        )
        rows = cursor.fetchall()
    for metric, name, ai_value, person_value, n in rows:
        if metric == "ai_results":
            agreement.ai_results = n
        elif metric == "corrected":
            agreement.corrected[name] = n
        elif metric == "change":
            # '' stands for a value the correction did not name.
            agreement.changes[name][(ai_value or None, person_value or None)] = n
    return agreement
