"""The pipeline board: open leads as columns by status, newest N per column, each move a status change.

Every column is one range of idx_leads_status_created (status, created_at DESC, id DESC)
with a LIMIT, and its count stops at COUNT_CAP, so the board costs the same at a
million leads as at a hundred. The per-card subqueries (owner, priority, products,
SLA) run for the cards shown only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assignments import services as assignments
from assignments.models import Assignment, AssignmentStatus
from leads import labels
from leads.console.lead_filters import with_categories
from leads.console.permissions import staff_required
from leads.console.sla_text import sla_left
from leads.models import Lead, LeadStatus
from leads.selectors import with_current_triage, with_list_columns, with_returning
from leadsys.exceptions import DomainError

COLUMNS = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.NURTURING, LeadStatus.QUALIFIED)
COUNT_CAP = 10_000
# Where a card can go from the board: the open columns and the two ends of the pipeline.
MOVES = (*COLUMNS, LeadStatus.CONVERTED, LeadStatus.LOST)


@dataclass(frozen=True)
class Column:
    status: str
    label: str
    cards: list[Any]
    count: int
    more: bool

    @property
    def count_text(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count >= COUNT_CAP else f"{self.count:,}"


def _count(status: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM leads WHERE status = %s LIMIT %s) capped", [status, COUNT_CAP]
        )
        return cursor.fetchone()[0]


def _cards(status: str, limit: int) -> list[Lead]:
    active = Assignment.objects.filter(lead_id=OuterRef("pk"), status=AssignmentStatus.ACTIVE)
    owners = Assignment.objects.filter(id=OuterRef("owner_assignment_id"))
    leads = with_list_columns(
        with_categories(with_returning(with_current_triage(Lead.objects.filter(status=status)))),
        "owner_name",
        "owner_assignment_id",
    ).annotate(
        sla_deadline=Subquery(active.values("sla_deadline")[:1]),
        sla_met=Subquery(owners.values("sla_met")[:1]),
    )
    return list(leads.order_by("-created_at", "-id")[: limit + 1])


def board_columns(*, limit: int | None = None) -> list[Column]:
    limit = limit or settings.CONSOLE_BOARD_CARDS
    now = timezone.now()
    columns = []
    for status in COLUMNS:
        rows = _cards(status, limit)
        for lead in rows:
            lead.sla = sla_left(lead.sla_deadline, now) if lead.sla_deadline else None
        columns.append(
            Column(
                status=status,
                label=labels.label("status", status),
                cards=rows[:limit],
                count=_count(status),
                more=len(rows) > limit,
            )
        )
    return columns


@require_GET
@staff_required
def board(request: HttpRequest) -> HttpResponse:
    context = {"columns": board_columns(), "moves": labels.choices("status", list(MOVES))}
    return render(request, "console/board.html", context)


@require_POST
@staff_required
def board_move(request: HttpRequest, lead_id: UUID) -> HttpResponse:
    """Move a card: the same service as the lead page's status change (an event with from and to)."""
    to_status = request.POST.get("status", "")
    if not Lead.objects.filter(id=lead_id).exists():
        raise Http404("No such lead.")
    if to_status not in MOVES:
        return _refused(request, DomainError("Choose a column to move the lead to.", code="invalid_status"))
    try:
        event = assignments.lead_status_change(lead_id=lead_id, actor=request.user, to_status=to_status)
    except DomainError as exc:
        return _refused(request, exc)
    name = Lead.objects.filter(id=lead_id).values_list("name", flat=True).first()
    messages.success(
        request,
        f"{name}: {labels.label('status', event.metadata['from_status'])} → {labels.label('status', to_status)}.",
    )
    return redirect(reverse("console:board") + f"#column-{to_status}")


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {"columns": board_columns(), "moves": labels.choices("status", list(MOVES)), "error": error.message}
    return render(request, "console/board.html", context, status=error.status_code)
