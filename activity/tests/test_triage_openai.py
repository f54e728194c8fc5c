"""The openai provider against a real local HTTP server speaking chat completions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from pytest_django.fixtures import Settings

from activity.metadata import AIResultMetadata
from activity.tests.fake_chat_server import FakeChatServer, Reply
from activity.triage import LeadSnapshot, rules, triage
from activity.triage.prompts import PROMPT_VERSION

LEAD = LeadSnapshot(
    name="Sunil Patil",
    email="sunil@example.com",
    role="Contractor",
    company="Patil Interiors",
    location="Thane",
    message="Bhai SPC flooring ka rate kya hai? 1200 sqft ka kaam hai",
    source="website_form",
    products=(("Flooring", "SPC flooring", "1200 sqft", None),),
)
ServerSetup = Callable[..., FakeChatServer]
VALID = {
    "intent": "sample_request",  # differs from what the rules say, so a fallback cannot pass for it
    "lead_type": "contractor",
    "priority": "low",
    "suggested_action": "send_samples",
    "reasoning": "Asks for samples.",
}


@pytest.fixture
def use_server(settings: Settings) -> ServerSetup:
    def configure(server: FakeChatServer, *, timeout: float = 2.0) -> FakeChatServer:
        settings.TRIAGE_PROVIDER = "openai"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = "test-key"
        settings.OPENAI_MODEL = "llama-test"
        settings.OPENAI_TIMEOUT_SECONDS = timeout
        settings.OPENAI_MAX_RETRIES = 1
        return server

    return configure


def test_it_uses_a_valid_answer(use_server: ServerSetup) -> None:
    with FakeChatServer(Reply(json.dumps(VALID)), model="fake-llm-1") as server:
        use_server(server)
        result = triage(LEAD)

    AIResultMetadata.model_validate(result)
    assert {k: result[k] for k in VALID} == VALID
    assert result["provider"] == "openai"
    assert result["model"] == "fake-llm-1"
    assert result["prompt_version"] == PROMPT_VERSION
    assert (result["prompt_tokens"], result["completion_tokens"], result["total_tokens"]) == (321, 45, 366)
    assert "fallback_reason" not in result
    assert len(server.requests) == 1
    sent = server.requests[0]
    assert server.paths == ["/v1/chat/completions"]
    assert server.auth_headers == ["Bearer test-key"]
    assert sent["model"] == "llama-test"
    assert sent["response_format"] == {"type": "json_object"}
    assert LEAD.message in sent["messages"][1]["content"]
    assert "sunil@example.com" not in json.dumps(sent)  # the email is not needed to classify


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Sure! The intent is a quote request.", "not JSON"),
        (json.dumps({**VALID, "intent": "buy_now"}), "intent"),
        (json.dumps({**VALID, "priority": "urgent"}), "priority"),
        (json.dumps({k: v for k, v in VALID.items() if k != "suggested_action"}), "suggested_action"),
        (json.dumps([VALID]), "invalid output"),
        ("", "empty answer"),
    ],
    ids=["not-json", "intent-out-of-vocabulary", "priority-out-of-vocabulary", "missing-key", "array", "empty"],
)
def test_it_falls_back_to_rules_on_invalid_output(use_server: ServerSetup, content: str, reason: str) -> None:
    with FakeChatServer(Reply(content)) as server:
        use_server(server)
        result = triage(LEAD)

    AIResultMetadata.model_validate(result)
    expected = rules.classify(LEAD)
    assert result["provider"] == "rules"
    assert (result["intent"], result["priority"]) == (expected["intent"], expected["priority"])
    assert result["fallback_reason"].startswith("openai llama-test: invalid output")
    assert reason in result["fallback_reason"]
    assert len(server.requests) == 1  # a bad answer is not a transient error: no retry


def test_it_retries_a_500_then_falls_back(use_server: ServerSetup) -> None:
    with FakeChatServer(Reply(status=500)) as server:
        use_server(server)
        result = triage(LEAD)

    assert len(server.requests) == 2  # the first try and OPENAI_MAX_RETRIES=1 retry
    assert result["provider"] == "rules"
    assert "HTTP 500" in result["fallback_reason"]
    AIResultMetadata.model_validate(result)


def test_it_recovers_when_a_retry_succeeds(use_server: ServerSetup) -> None:
    with FakeChatServer(Reply(status=503), Reply(json.dumps(VALID))) as server:
        use_server(server)
        result = triage(LEAD)

    assert len(server.requests) == 2
    assert result["provider"] == "openai"
    assert result["intent"] == VALID["intent"]


def test_it_times_out_and_falls_back(use_server: ServerSetup) -> None:
    with FakeChatServer(Reply(json.dumps(VALID), delay_seconds=3)) as server:
        use_server(server, timeout=0.3)
        started = time.monotonic()
        result = triage(LEAD)
        elapsed = time.monotonic() - started

    assert result["provider"] == "rules"
    assert "timeout after 0.3s" in result["fallback_reason"]
    assert len(server.requests) == 2
    assert elapsed < 3  # gave up long before the server would have answered


def test_it_falls_back_when_nothing_listens(use_server: ServerSetup) -> None:
    server = FakeChatServer(Reply(json.dumps(VALID)))
    use_server(server)
    with server:
        pass  # started and stopped: the port is closed now
    result = triage(LEAD)

    assert result["provider"] == "rules"
    assert "cannot connect" in result["fallback_reason"]


def test_it_refuses_a_4xx_without_retrying(use_server: ServerSetup) -> None:
    with FakeChatServer(Reply(status=401)) as server:
        use_server(server)
        result = triage(LEAD)

    assert len(server.requests) == 1
    assert result["fallback_reason"].endswith("HTTP 401 from provider")
