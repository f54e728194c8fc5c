"""Admin change lists that do not count a million rows on every page.

Django's paginator runs SELECT COUNT(*) over the filtered set for each page:
on a table of millions that is a sequential scan, and on a big filtered set
a long index walk. This paginator asks the planner first (the table's
statistics when nothing is filtered, EXPLAIN's row estimate otherwise). A set
the planner thinks is small is counted exactly, up to EXACT_COUNT_LIMIT rows;
beyond that the estimate stands. For big sets the count and the number of
pages shown are estimates; the rows on each page are always exact.
"""

from __future__ import annotations

import json
from functools import cached_property

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

EXACT_COUNT_LIMIT = 1_000
# Pages are read with OFFSET, whose cost grows with depth: past this page (10,000
# rows at 50 a page) a list is narrowed by a filter or a search, not paged through.
MAX_PAGES = 200


class EstimatedCountPaginator(Paginator):
    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, MAX_PAGES)

    def validate_number(self, number: object) -> int:
        try:
            wanted = int(number)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return super().validate_number(number)
        # Deeper than the cap: the last page offered (with a message saying why, LargeTableAdmin).
        return super().validate_number(min(wanted, self.num_pages) if wanted > MAX_PAGES else wanted)

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        estimate = planner_row_estimate(queryset)
        if estimate > EXACT_COUNT_LIMIT * 10:
            return estimate
        capped = queryset[: EXACT_COUNT_LIMIT + 1].count()
        return capped if capped <= EXACT_COUNT_LIMIT else max(capped, estimate)


def planner_row_estimate(queryset: QuerySet) -> int:
    """Rows the planner expects `queryset` to return; no rows are read."""
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        if not queryset.query.where:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
            if row and row[0] > 0:  # -1 before the first ANALYZE
                return int(row[0])
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for tables of millions of rows: estimated counts, no full count, no "show all"."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        page = request.GET.get("p", "")
        if page.isdigit() and int(page) > MAX_PAGES:
            messages.warning(
                request,
                _("Only the first %(n)d pages are shown: filter or search to find what is further down.")
                % {"n": MAX_PAGES},
            )
        return super().changelist_view(request, extra_context)

    list_max_show_all = 0
    list_per_page = 50  # rendering rows is most of a page's time
