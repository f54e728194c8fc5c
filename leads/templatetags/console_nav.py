"""What the console's navigation shows to whom; the rule itself is assignments.routing's."""

from __future__ import annotations

from typing import Any

from django import template

from assignments.routing import is_manager as _is_manager

register = template.Library()


@register.filter
def is_manager(user: Any) -> bool:
    return _is_manager(user)
