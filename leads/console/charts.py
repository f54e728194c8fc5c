"""Server-side SVG charts: geometry computed here, markup written by templates.

The builders return plain dataclasses; `templates/console/_chart_*.html` turn
them into SVG with autoescaping on, so a label (a rep's name, a source typed by
an integration) can never inject markup. Nothing here calls an outside service.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Colour-blind-safe palette (Okabe-Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MET_COLOUR = "#067647"
MISSED_COLOUR = "#b42318"

# Plot area inside the SVG viewBox.
WIDTH = 640
HEIGHT = 240
LEFT = 40
RIGHT = 8
TOP = 12
BOTTOM = 28


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Column:
    label: str
    label_x: float
    show_label: bool
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class StackedColumns:
    title: str
    series: list[Series]
    columns: list[Column]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    baseline_y: float = HEIGHT - BOTTOM
    left: int = LEFT
    right_x: int = WIDTH - RIGHT
    label_y: float = HEIGHT - BOTTOM + 16

    @property
    def is_empty(self) -> bool:
        return all(c.total == 0 for c in self.columns)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    colour: str
    value_x: float
    text_y: float


@dataclass(frozen=True)
class HorizontalBars:
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    label_width: int = 250  # room for 24 characters at the small cards' 18px text
    bar_height: int = 22

    @property
    def is_empty(self) -> bool:
        return not self.bars


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k that is >= value (at least 1): round axis ends."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def stacked_columns(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[Sequence[int]],
    label_every: int = 1,
) -> StackedColumns:
    """One column per label; values[i][j] is series j in column i, stacked bottom-up.

    Every `label_every`-th column is labelled, counted back from the last (today, this week).
    """
    totals = [sum(column) for column in values]
    top = nice_ceiling(max(totals, default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_width = max(slot * 0.7, 1.0)
    baseline = HEIGHT - BOTTOM
    columns = []
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar_width) / 2
        y = float(baseline)
        segments = []
        for j, one in enumerate(series):
            n = values[i][j]
            if n <= 0:
                continue
            height = n / top * plot_height
            y -= height
            segments.append(
                Segment(
                    x=round(x, 2),
                    y=round(y, 2),
                    width=round(bar_width, 2),
                    height=round(height, 2),
                    colour=one.colour,
                    title=f"{label} · {one.name}: {n}",
                )
            )
        columns.append(
            Column(
                label=label,
                label_x=round(x + bar_width / 2, 2),
                show_label=(len(labels) - 1 - i) % label_every == 0,
                total=totals[i],
                segments=segments,
            )
        )
    # Axis at 0, the middle (when it is a whole number) and the top.
    steps = (0, 1, 2) if top % 2 == 0 else (0, 2)
    ticks = [Tick(y=round(baseline - plot_height * k / 2, 2), label=str(top * k // 2)) for k in steps]
    return StackedColumns(title=title, series=list(series), columns=columns, ticks=ticks)


def horizontal_bars(
    *, title: str, items: Sequence[tuple[str, int]], colours: Sequence[str] = PALETTE
) -> HorizontalBars:
    """One bar per (label, value), longest first as given; widths share one scale."""
    chart = HorizontalBars(title=title)
    top = max((value for _, value in items), default=0) or 1
    room = chart.width - chart.label_width - 48  # space for the value after the bar
    bars = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * (chart.bar_height + 8)
        width = round(value / top * room, 2)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=width,
                colour=colours[i % len(colours)],
                value_x=chart.label_width + width + 6,
                text_y=y + chart.bar_height * 0.7,
            )
        )
    height = 8 + len(bars) * (chart.bar_height + 8)
    return HorizontalBars(title=title, bars=bars, height=height)
