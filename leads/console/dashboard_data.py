"""What the dashboard shows: the seven figures as labelled tiles, and the charts' data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from activity.corrections import Agreement, ai_agreement
from leads import labels
from leads.console import charts
from leads.console.overview import selectors
from leads.selectors import dashboard_stats

PRIORITY_ORDER = ("high", "medium", "low", "unknown")
PRIORITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#0072B2"}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    hint: str
    alert: bool = False


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def stat_tiles(stats: dict[str, Any]) -> list[Tile]:
    """The figures of get_dashboard_stats(), with a human label and unit each."""
    minutes = stats.get("avg_response_time_minutes")
    rate = stats.get("conversion_rate")
    return [
        Tile("total_leads", _("Total leads"), _number(stats.get("total_leads")), _("all time")),
        Tile("new_leads_today", _("New leads today"), _number(stats.get("new_leads_today")), _("this business day")),
        Tile(
            "pending_follow_ups",
            _("Follow-ups due"),
            _number(stats.get("pending_follow_ups")),
            _("overdue or due within the hour"),
            alert=bool(stats.get("pending_follow_ups")),
        ),
        Tile(
            "pending_approvals",
            _("Pending approvals"),
            _number(stats.get("pending_approvals")),
            _("waiting for a manager"),
        ),
        Tile(
            "sla_violations",
            _("Overdue now"),
            _number(stats.get("sla_violations")),
            _("open assignments past their SLA deadline"),
            alert=bool(stats.get("sla_violations")),
        ),
        Tile(
            "sla_breaches_30d",
            _("SLA breaches"),
            _number(stats.get("sla_breaches_30d")),
            _("recorded, last 30 days"),
        ),
        Tile(
            "avg_response_time_minutes",
            _("Average response time"),
            "—" if minutes is None else f"{minutes:,.0f} min",
            _("first response, last 30 days"),
        ),
        Tile(
            "conversion_rate",
            _("Conversion rate"),
            "—" if rate is None else f"{rate:.2f} %",
            _("leads of the last 30 days converted"),
        ),
    ]


def _source_label(code: str) -> str:
    return labels.label("source", code)


def leads_per_day_chart() -> charts.StackedColumns:
    data = selectors.leads_per_day_by_source(days=30)
    series = [
        charts.Series(_source_label(s), charts.PALETTE[i % len(charts.PALETTE)]) for i, s in enumerate(data.sources)
    ]
    return charts.stacked_columns(
        title=str(_("Leads per day, last 30 days, by source")),
        labels=[day.strftime("%d %b") for day in data.days],
        series=series,
        values=[[data.counts.get((day, s), 0) for s in data.sources] for day in data.days],
        label_every=5,
    )


def sla_chart() -> charts.StackedColumns:
    data = selectors.sla_per_week(weeks=8)
    return charts.stacked_columns(
        title=str(_("SLA met vs missed, by week of completion (week starting)")),
        labels=[f"{week:%d %b}" for week in data.weeks],
        series=[charts.Series(str(_("Met")), charts.MET_COLOUR), charts.Series(str(_("Missed")), charts.MISSED_COLOUR)],
        values=[[data.met.get(week, 0), data.missed.get(week, 0)] for week in data.weeks],
        label_every=2,
    )


def mix_charts() -> tuple[charts.HorizontalBars, charts.HorizontalBars]:
    priorities, intents = selectors.priority_and_intent_mix(days=30)
    by_priority = sorted(
        priorities.items(), key=lambda kv: (PRIORITY_ORDER.index(kv[0]) if kv[0] in PRIORITY_ORDER else 9, kv[0])
    )
    by_intent = sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))
    return (
        charts.horizontal_bars(
            title=str(_("Priority mix, leads of the last 30 days")),
            items=[(labels.label("priority", k), n) for k, n in by_priority],
            colours=[PRIORITY_COLOURS.get(k, "#9aa5b1") for k, _n in by_priority],
        ),
        charts.horizontal_bars(
            title=str(_("Intent mix, leads of the last 30 days")),
            items=[(labels.label("intent", k), n) for k, n in by_intent],
        ),
    )


def open_leads_chart() -> charts.HorizontalBars:
    rows = selectors.open_leads_per_rep()
    return charts.horizontal_bars(
        title=str(_("Open leads per rep")), items=[(name, n) for _owner, name, n in rows], colours=("#0b5d4b",)
    )


def agreement_tile(agreement: Agreement) -> Tile:
    """How often people left the AI's intent and priority as they were (ai_correction events)."""
    intent, priority = agreement.rate("intent"), agreement.rate("priority")
    if intent is None or priority is None:
        return Tile("ai_agreement", _("Agreement with the AI"), "—", _("no AI analyses yet"))
    return Tile(
        "ai_agreement",
        _("Agreement with the AI"),
        f"{min(intent, priority):.0%}",
        _("intent %(intent)s, priority %(priority)s of %(n)s analyses")
        % {"intent": f"{intent:.0%}", "priority": f"{priority:.0%}", "n": f"{agreement.ai_results:,}"},
    )


def dashboard_context() -> dict[str, Any]:
    priority, intent = mix_charts()
    return {
        "tiles": [*stat_tiles(dashboard_stats()), agreement_tile(ai_agreement())],
        "per_day": leads_per_day_chart(),
        "sla": sla_chart(),
        "priority": priority,
        "intent": intent,
        "open_per_rep": open_leads_chart(),
    }
