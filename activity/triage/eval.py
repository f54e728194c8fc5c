"""Measure a provider against labelled leads: accuracy per field, confusion tables.

A labelled file is JSON Lines: the lead's fields (as LeadSnapshot, products as
objects) plus `expected` with the four labels. Labels are checked against the
vocabulary so a typo in the file is an error, not a silent miss.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from activity.metadata import Intent, LeadType, Priority, SuggestedAction
from activity.triage.snapshot import LeadSnapshot

FIELDS = ("intent", "lead_type", "priority", "suggested_action")
CONFUSION_FIELDS = ("intent", "priority")
LABELS = {"intent": get_args(Intent), "lead_type": get_args(LeadType), "priority": get_args(Priority)}


class LabelError(ValueError):
    """A line of the labelled file cannot be used; the message names the line."""


class _Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intent: Intent
    lead_type: LeadType
    priority: Priority
    suggested_action: SuggestedAction


class _Product(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    product: str
    quantity: str | None = None
    notes: str | None = None


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    email: str
    role: str | None = None
    company: str | None = None
    location: str | None = None
    message: str | None = None
    source: str | None = None
    products: list[_Product] = []
    expected: _Expected


@dataclass(frozen=True)
class LabelledLead:
    id: str
    snapshot: LeadSnapshot
    expected: dict[str, str]


@dataclass
class Report:
    total: int = 0
    correct: Counter[str] = field(default_factory=Counter)
    confusion: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {name: Counter() for name in CONFUSION_FIELDS}
    )
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, field, expected, got
    providers: Counter[str] = field(default_factory=Counter)

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.total if self.total else 0.0


def load_labelled(path: Path) -> list[LabelledLead]:
    cases = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                case = _Case.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                raise LabelError(f"{path}:{number}: {_first_error(exc)}") from exc
            snapshot = LeadSnapshot(
                name=case.name,
                email=case.email,
                role=case.role,
                company=case.company,
                location=case.location,
                message=case.message,
                source=case.source,
                products=tuple((p.category, p.product, p.quantity, p.notes) for p in case.products),
            )
            cases.append(LabelledLead(id=case.id, snapshot=snapshot, expected=case.expected.model_dump()))
    if not cases:
        raise LabelError(f"{path}: no labelled leads.")
    return cases


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
    return f"not JSON ({exc})"


def evaluate(cases: Iterable[LabelledLead], classify: Callable[[LeadSnapshot], dict[str, Any]]) -> Report:
    report = Report()
    for case in cases:
        result = classify(case.snapshot)
        report.total += 1
        report.providers[str(result.get("provider"))] += 1
        for name in FIELDS:
            expected, got = case.expected[name], result[name]
            if expected == got:
                report.correct[name] += 1
            else:
                report.misses.append((case.id, name, expected, got))
            if name in CONFUSION_FIELDS:
                report.confusion[name][(expected, got)] += 1
    return report


def format_confusion(name: str, counts: Counter[tuple[str, str]], labels: Iterable[str]) -> list[str]:
    """Rows are the expected label, columns (numbered like the rows) what the provider said."""
    used = [label for label in labels if any(label in pair for pair in counts)]
    width = max(len(label) for label in used) + 4
    lines = [f"Confusion: {name} (rows expected, columns predicted)"]
    lines.append(" " * width + "".join(f"{n:>5}" for n in range(1, len(used) + 1)))
    for number, row in enumerate(used, start=1):
        cells = "".join(f"{counts[(row, col)] or '.':>5}" for col in used)
        lines.append(f"{number:>2} {row}".ljust(width) + cells)
    return lines


def format_report(report: Report, *, show_misses: bool = True) -> str:
    lines = [f"Leads: {report.total}  providers: {dict(report.providers)}", "Accuracy per field:"]
    for name in FIELDS:
        lines.append(f"  {name:<17} {report.accuracy(name):6.1%}  ({report.correct[name]}/{report.total})")
    for name in CONFUSION_FIELDS:
        lines.append("")
        lines.extend(format_confusion(name, report.confusion[name], LABELS[name]))
    if show_misses and report.misses:
        lines += ["", "Misses (id, field, expected -> got):"]
        lines += [f"  {i} {name}: {expected} -> {got}" for i, name, expected, got in report.misses]
    return "\n".join(lines)
