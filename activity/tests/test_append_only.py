"""The event log is append-only in the database: only a pending item can be decided, once."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from activity.models import LeadActivity
from activity.tests.factories import (
    ActivityFactory,
    AIResultFactory,
    ApprovalFactory,
    EmailFactory,
    FollowUpFactory,
)

pytestmark = pytest.mark.django_db


def execute(sql: str, params: list[object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params: list[object]) -> str:
    """Run a statement the append-only trigger must refuse; return its message."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        execute(sql, params)
    assert isinstance(caught.value.__cause__, psycopg.errors.InsufficientPrivilege)
    message = str(caught.value.__cause__)
    assert "append-only" in message
    return message


def set_metadata(activity: LeadActivity, metadata: dict[str, object]) -> tuple[str, list[object]]:
    return "UPDATE lead_activity SET metadata = %s::jsonb WHERE id = %s", [json.dumps(metadata), activity.id]


def decision(activity: LeadActivity, **added: object) -> dict[str, object]:
    return {**activity.metadata, "decided_by": "rep-1", "decided_at": timezone.now().isoformat(), **added}


@pytest.mark.parametrize("factory", [ActivityFactory, AIResultFactory, EmailFactory])
def test_it_refuses_any_update_of_a_completed_event(factory: type[ActivityFactory]) -> None:
    event = factory()
    refused("UPDATE lead_activity SET message = 'rewritten' WHERE id = %s", [event.id])
    refused("UPDATE lead_activity SET metadata = metadata || '{\"extra\": 1}' WHERE id = %s", [event.id])
    with pytest.raises(DatabaseError), transaction.atomic():
        LeadActivity.objects.filter(pk=event.pk).update(actor_id="someone")
    stored = LeadActivity.objects.get(pk=event.pk)
    assert (stored.message, stored.metadata, stored.actor_id) == (event.message, event.metadata, event.actor_id)


def test_it_refuses_to_reopen_a_completed_follow_up() -> None:
    done = FollowUpFactory(status="completed")
    refused("UPDATE lead_activity SET status = 'pending' WHERE id = %s", [done.id])
    assert LeadActivity.objects.get(pk=done.pk).status == "completed"


@pytest.mark.parametrize(
    ("column", "value"),
    [("message", "rewritten"), ("type", "note"), ("actor_type", "user"), ("actor_id", "intruder")],
)
def test_it_refuses_to_change_anything_but_the_decision_of_a_pending_follow_up(column: str, value: str) -> None:
    follow_up = FollowUpFactory()
    # The column name comes from the parametrize list above, never from input.
    message = refused(f"UPDATE lead_activity SET {column} = %s WHERE id = %s", [value, follow_up.id])
    assert "only status and decision metadata" in message
    stored = LeadActivity.objects.get(pk=follow_up.pk)
    assert getattr(stored, column) == getattr(follow_up, column)


def test_it_refuses_to_backdate_a_pending_follow_up() -> None:
    follow_up = FollowUpFactory()
    refused("UPDATE lead_activity SET created_at = created_at - interval '1 day' WHERE id = %s", [follow_up.id])


@pytest.mark.parametrize(("factory", "outcome"), [(FollowUpFactory, "completed"), (ApprovalFactory, "approved")])
def test_it_lets_a_pending_item_be_decided_once(factory: type[ActivityFactory], outcome: str) -> None:
    item = factory()
    decided = decision(item, comment="ok") if outcome == "approved" else decision(item, outcome="reached")
    assert (
        execute(
            "UPDATE lead_activity SET status = %s, metadata = %s::jsonb WHERE id = %s",
            [outcome, json.dumps(decided), item.id],
        )
        == 1
    )
    stored = LeadActivity.objects.get(pk=item.pk)
    assert stored.status == outcome
    assert stored.metadata == decided

    # Decided is final: neither the status nor the decision data moves again.
    refused("UPDATE lead_activity SET status = 'pending' WHERE id = %s", [item.id])
    refused(*set_metadata(item, {**decided, "note": "second thoughts"}))
    assert LeadActivity.objects.get(pk=item.pk).metadata == decided


@pytest.mark.parametrize(("factory", "outcome"), [(FollowUpFactory, "cancelled"), (ApprovalFactory, "rejected")])
def test_it_lets_the_orm_decide_a_pending_item(factory: type[ActivityFactory], outcome: str) -> None:
    item = factory()
    item.status = outcome
    item.metadata = decision(item)
    item.save()
    assert LeadActivity.objects.get(pk=item.pk).status == outcome
    item.message = "edited after the decision"
    with pytest.raises(DatabaseError), transaction.atomic():
        item.save()


def test_it_lets_a_pending_follow_up_gain_keys_and_stay_pending() -> None:
    follow_up = FollowUpFactory()
    reminded = {**follow_up.metadata, "reminder_sent_at": timezone.now().isoformat()}
    assert execute(*set_metadata(follow_up, reminded)) == 1
    assert LeadActivity.objects.get(pk=follow_up.pk).status == "pending"
    # Still pending, so it can still be decided.
    assert execute("UPDATE lead_activity SET status = 'completed' WHERE id = %s", [follow_up.id]) == 1


def test_it_refuses_to_change_or_drop_an_existing_metadata_key() -> None:
    follow_up = FollowUpFactory()
    original = dict(follow_up.metadata)
    message = refused(*set_metadata(follow_up, {**original, "scheduled_for": "2030-01-01T00:00:00+00:00"}))
    assert "may add keys, not change them" in message
    refused(*set_metadata(follow_up, {k: v for k, v in original.items() if k != "reason"}))
    refused("UPDATE lead_activity SET metadata = NULL, status = 'cancelled' WHERE id = %s", [follow_up.id])
    assert LeadActivity.objects.get(pk=follow_up.pk).metadata == original


def test_it_refuses_to_grow_a_nested_metadata_value() -> None:
    # jsonb containment (@>) would call {"a": [1, 2]} a superset of {"a": [1]}:
    # the value of an existing key must stay exactly what it was.
    approval = ApprovalFactory()
    execute(
        """UPDATE lead_activity SET metadata = metadata || '{"checks": ["budget"], "scope": {"area": 500}}'
           WHERE id = %s""",
        [approval.id],
    )
    base = LeadActivity.objects.get(pk=approval.pk).metadata
    refused(*set_metadata(approval, {**base, "checks": ["budget", "credit"]}))
    refused(*set_metadata(approval, {**base, "scope": {"area": 500, "floors": 2}}))
    assert execute(*set_metadata(approval, {**base, "comment": "fine"})) == 1


def test_it_refuses_a_direct_delete() -> None:
    events = [ActivityFactory(), FollowUpFactory(), ApprovalFactory()]
    for event in events:
        message = refused("DELETE FROM lead_activity WHERE id = %s", [event.id])
        assert "deleted only with their lead" in message
    with pytest.raises(DatabaseError), transaction.atomic():
        LeadActivity.objects.filter(pk=events[0].pk).delete()
    assert LeadActivity.objects.filter(pk__in=[e.pk for e in events]).count() == 3


def test_it_deletes_events_through_the_cascade_of_their_lead() -> None:
    doomed, kept = AIResultFactory(), AIResultFactory()
    FollowUpFactory(lead=doomed.lead)
    assert execute("DELETE FROM leads WHERE id = %s", [doomed.lead_id]) == 1
    assert not LeadActivity.objects.filter(lead_id=doomed.lead_id).exists()
    assert LeadActivity.objects.filter(pk=kept.pk).exists()
