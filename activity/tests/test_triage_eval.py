"""triage_eval: accuracy on a labelled file, agreement with people's corrections."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from activity.corrections import ai_agreement, ai_correct
from activity.models import LeadActivity
from activity.tests.factories import ActivityFactory, AIResultFactory
from activity.tests.fake_chat_server import FakeChatServer, Reply
from leadsys.exceptions import DomainError

SPAM = {
    "id": "T1",
    "name": "Promo",
    "email": "p@example.com",
    "message": "Cheap SEO packages and backlinks, rank #1 on Google",
    "products": [],
    "expected": {"intent": "spam", "lead_type": "other", "priority": "low", "suggested_action": "discard_spam"},
}
QUOTE = {
    "id": "T2",
    "name": "Owner",
    "email": "o@example.com",
    "role": "Home Owner",
    "message": "Please send a quotation for 600 sq ft laminate flooring",
    "products": [{"category": "Flooring", "product": "Laminate", "quantity": "600 sq ft"}],
    # Deliberately mislabelled intent: the rules will say quote_request.
    "expected": {
        "intent": "sample_request",
        "lead_type": "home_owner",
        "priority": "medium",
        "suggested_action": "call_today",
    },
}


def write_jsonl(tmp_path: Path, *rows: dict) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("triage_eval", *args, stdout=out)
    return out.getvalue()


def test_it_prints_accuracy_per_field_and_confusion_tables(tmp_path: Path, settings: Settings) -> None:
    settings.TRIAGE_PROVIDER = "rules"
    output = run(str(write_jsonl(tmp_path, SPAM, QUOTE)))

    assert "intent             50.0%  (1/2)" in output
    assert "priority          100.0%  (2/2)" in output
    assert "Confusion: intent" in output
    assert "Confusion: priority" in output
    assert "T2 intent: sample_request -> quote_request" in output
    # The sample_request row holds one lead, predicted in the quote_request column (1).
    row = next(line for line in output.splitlines() if line.strip().startswith("2 sample_request"))
    assert row.split()[2:] == ["1", ".", "."]


def test_it_runs_the_configured_provider(tmp_path: Path, settings: Settings) -> None:
    answer = {k: v for k, v in QUOTE["expected"].items()} | {"reasoning": "labelled answer"}
    with FakeChatServer(Reply(json.dumps(answer))) as server:
        settings.TRIAGE_PROVIDER = "openai"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_MAX_RETRIES = 0
        output = run(str(write_jsonl(tmp_path, QUOTE)))

    assert len(server.requests) == 1
    assert "providers: {'openai': 1}" in output
    assert "intent            100.0%  (1/1)" in output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "labelled.jsonl:2: not JSON"),
        (json.dumps({**SPAM, "expected": {**SPAM["expected"], "intent": "buy"}}), "labelled.jsonl:2: expected.intent"),
        (json.dumps({k: v for k, v in SPAM.items() if k != "expected"}), "labelled.jsonl:2: expected: Field required"),
    ],
)
def test_it_names_the_bad_line_of_a_labelled_file(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text(json.dumps(SPAM) + "\n" + line + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run(str(path))


def test_it_refuses_no_input_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--from-db"):
        run()
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.jsonl"))


@pytest.mark.django_db
def test_it_records_a_correction_naming_the_ai_result() -> None:
    ai_result = AIResultFactory(metadata__intent="quote_request", metadata__priority="low")

    correction = ai_correct(ai_result_id=ai_result.id, actor_id="rep-7", priority="high", reason="Big builder")

    stored = LeadActivity.objects.get(id=correction.id)
    assert (stored.type, stored.lead_id, stored.actor_type, stored.actor_id) == (
        "ai_correction",
        ai_result.lead_id,
        "user",
        "rep-7",
    )
    assert stored.metadata == {
        "overrides": str(ai_result.id),
        "priority": "high",
        "previous_priority": "low",
        "reason": "Big builder",
    }
    ai_result.refresh_from_db()
    assert ai_result.metadata["priority"] == "low"  # the AI's answer is never rewritten


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Give the intent or the priority"),
        ({"intent": "quote_request", "priority": "low"}, "nothing to correct"),
        ({"priority": "urgent"}, "priority"),
        ({"intent": "buy_now"}, "intent"),
    ],
)
def test_it_refuses_a_correction_that_changes_nothing_or_is_invalid(kwargs: dict, message: str) -> None:
    ai_result = AIResultFactory(metadata__intent="quote_request", metadata__priority="low")

    with pytest.raises(DomainError, match=message):
        ai_correct(ai_result_id=ai_result.id, actor_id="rep-7", **kwargs)
    assert not LeadActivity.objects.filter(type="ai_correction").exists()


@pytest.mark.django_db
def test_it_refuses_to_correct_something_that_is_not_an_ai_result() -> None:
    ai_result = AIResultFactory()
    note = ActivityFactory(lead=ai_result.lead)

    with pytest.raises(DomainError, match="no AI result"):
        ai_correct(ai_result_id=note.id, actor_id="rep-7", priority="high")
    assert not LeadActivity.objects.filter(type="ai_correction").exists()


@pytest.mark.django_db
def test_it_reports_how_often_people_agree_with_the_ai() -> None:
    results = [AIResultFactory(metadata__intent="quote_request", metadata__priority="medium") for _ in range(4)]
    ai_correct(ai_result_id=results[0].id, actor_id="rep-1", intent="sample_request")
    ai_correct(ai_result_id=results[1].id, actor_id="rep-1", priority="high")
    ai_correct(ai_result_id=results[1].id, actor_id="mgr-1", priority="low")  # a second look at the same result

    agreement = ai_agreement()
    assert agreement.ai_results == 4
    assert agreement.rate("intent") == 3 / 4
    assert agreement.rate("priority") == 3 / 4
    assert agreement.changes["priority"] == {("medium", "high"): 1, ("medium", "low"): 1}

    output = run("--from-db")
    assert "4 AI results" in output
    assert "intent    agreed  75.0%  (corrected on 1 of 4)" in output
    assert "AI quote_request -> person sample_request: 1" in output


@pytest.mark.django_db
def test_it_reports_no_agreement_on_an_empty_database() -> None:
    assert ai_agreement().rate("intent") is None
    assert "No AI results yet." in run("--from-db")
