"""Template side of leads.labels: `{{ value|label:"intent" }}`, `{{ phone|phone }}`, `{{ at|when }}`, `{{ at|ago }}`."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

from leads import labels

register = template.Library()


@register.filter(name="label")
def label(value: object, vocabulary: str) -> str:
    return labels.label(vocabulary, value)


@register.filter(name="phone")
def phone(value: str | None) -> str:
    return labels.phone_display(value)


@register.filter(name="when")
def when(value: datetime | None) -> str:
    return labels.when(value)


@register.filter(name="when_iso")
def when_iso(value: str | datetime | None) -> str:
    """`when` for a time stored as ISO text in event metadata."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return labels.when(value)


@register.filter(name="ago")
def ago(value: datetime | None) -> str:
    return labels.relative(value)
