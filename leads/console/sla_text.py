"""How much time is left on an SLA, in words a rep reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SlaLeft:
    minutes: int
    text: str
    tone: str  # ok, soon, overdue: the CSS class


def _duration(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins} min"


def sla_left(deadline: datetime, now: datetime) -> SlaLeft:
    minutes = int((deadline - now).total_seconds() // 60)
    if minutes < 0:
        return SlaLeft(minutes, f"Overdue by {_duration(-minutes)}", "overdue")
    return SlaLeft(minutes, f"{_duration(minutes)} left", "soon" if minutes < 60 else "ok")
