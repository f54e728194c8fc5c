"""Admin change lists that do not count a million rows on every page.

Django's paginator runs SELECT COUNT(*) over the filtered set for each page.
On a table of millions that is a sequential scan. This paginator counts
exactly up to EXACT_COUNT_LIMIT rows (an index range stops there) and beyond
that takes the planner's estimate: the statistics for the whole table, or
EXPLAIN's row estimate for a filtered set. For a set that big the count and
the number of pages shown are estimates; the rows on each page are exact.
"""

from __future__ import annotations

import json
from functools import cached_property

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections

EXACT_COUNT_LIMIT = 10_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        capped = queryset[: EXACT_COUNT_LIMIT + 1].count()
        if capped <= EXACT_COUNT_LIMIT:
            return capped
        return max(capped, self._estimate())

    def _estimate(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if not queryset.query.where:
            with connection.cursor() as cursor:
                # reltuples is -1 before the first ANALYZE.
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > 0:
                return int(row[0])
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for tables of millions of rows: estimated counts, no full count, no "show all"."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_max_show_all = 0
