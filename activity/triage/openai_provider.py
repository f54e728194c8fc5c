"""The `openai` provider: any server that speaks OpenAI chat completions.

Groq, OpenAI, Ollama and vLLM all do. The SDK owns the timeout and the
retries (with backoff, on connection errors, 408, 409, 429 and 5xx). Whatever
goes wrong, the lead still gets a triage: the rules provider answers and the
reason is stored in `fallback_reason`, so a dashboard can count outages.
"""

from __future__ import annotations

import json
import time
from typing import Any

import openai
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from activity.metadata import Intent, LeadType, Priority, SuggestedAction
from activity.triage import prompts, rules
from activity.triage.snapshot import LeadSnapshot


class ModelAnswer(BaseModel):
    """What the model must return; anything outside the vocabulary is refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    intent: Intent
    lead_type: LeadType
    priority: Priority
    suggested_action: SuggestedAction
    reasoning: str = Field(default="", max_length=4000)


class InvalidAnswer(Exception):
    pass


def _client() -> openai.OpenAI:
    return openai.OpenAI(
        base_url=settings.OPENAI_BASE_URL,
        # Local servers (Ollama, vLLM) need no key, but the SDK insists on one.
        api_key=settings.OPENAI_API_KEY or "no-key",
        timeout=settings.OPENAI_TIMEOUT_SECONDS,
        max_retries=settings.OPENAI_MAX_RETRIES,
    )


def classify(snapshot: LeadSnapshot) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = _client().chat.completions.create(
            model=settings.OPENAI_MODEL,
            messages=prompts.messages(snapshot),  # type: ignore[arg-type]
            temperature=0,
            response_format={"type": "json_object"},
        )
        answer = _parse(response)
    except (openai.OpenAIError, InvalidAnswer) as exc:
        return _fallback(snapshot, reason=_describe(exc), started=started)
    usage = response.usage
    return {
        **answer.model_dump(),
        "model": response.model or settings.OPENAI_MODEL,
        "prompt_version": prompts.PROMPT_VERSION,
        "provider": "openai",
        "latency_ms": _elapsed_ms(started),
        "prompt_tokens": usage.prompt_tokens if usage else None,
        "completion_tokens": usage.completion_tokens if usage else None,
        "total_tokens": usage.total_tokens if usage else None,
    }


def _parse(response: Any) -> ModelAnswer:
    if not response.choices or not response.choices[0].message.content:
        raise InvalidAnswer("invalid output: empty answer")
    content = response.choices[0].message.content
    try:
        return ModelAnswer.model_validate(json.loads(content))
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"invalid output: not JSON ({exc.msg})") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        raise InvalidAnswer(f"invalid output: {where}: {error['msg']}") from exc


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return f"timeout after {settings.OPENAI_TIMEOUT_SECONDS:g}s ({settings.OPENAI_MAX_RETRIES} retries)"
    if isinstance(exc, openai.APIStatusError):
        retried = exc.status_code >= 500 or exc.status_code in (408, 409, 429)
        suffix = f" ({settings.OPENAI_MAX_RETRIES} retries)" if retried else ""
        return f"HTTP {exc.status_code} from provider{suffix}"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect to provider ({settings.OPENAI_MAX_RETRIES} retries)"
    return str(exc)[:1000]


def _fallback(snapshot: LeadSnapshot, *, reason: str, started: float) -> dict[str, Any]:
    result = rules.classify(snapshot)
    result["fallback_reason"] = f"openai {settings.OPENAI_MODEL}: {reason}"[:1000]
    result["latency_ms"] = _elapsed_ms(started)
    return result


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
