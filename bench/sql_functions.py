"""The three SQL functions, ours against the plan's, over the same generated data.

    .venv/bin/python bench/sql_functions.py --leads 1000000

Creates (or reuses) a bench database of that size (see bench/sql_setup.py),
with the plan's tables, indexes and functions in schema `plan` filled with
the same rows, then times each function call round trip (what a caller sees,
rows fetched): the plan's as the table owner (its backend used the service
key), ours as role `authenticated`, so row-level security is in effect.
Prints p50/p95 side by side, whether the issue's targets are met, whether
the figures agree, and the key lines of EXPLAIN (ANALYZE, BUFFERS) of every
statement inside each function.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sql_explain import big_table_seq_scans, explain, function_statements, key_lines, uses_index
from sql_setup import ensure_bench_data

ROOT = Path(__file__).resolve().parent.parent
PAGE = 100


@dataclass
class Timing:
    label: str
    samples_ms: list[float]

    def quantile(self, q: int) -> float:
        if len(self.samples_ms) < 2:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[q - 1]


def connect(url: str, *, time_zone: str, plan: bool) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(sql.SQL("SET TIME ZONE {}").format(sql.Literal(time_zone)))
    if plan:
        conn.execute("SET search_path = plan")
    else:
        conn.execute("SET ROLE authenticated")
    return conn


def timed(conn: psycopg.Connection, query: str, params: list | None = None) -> tuple[float, list[tuple]]:
    started = time.perf_counter()
    rows = conn.execute(query, params).fetchall()
    return (time.perf_counter() - started) * 1000, rows


def paired(
    runs: int, plan_call: Callable[[int], float], ours_call: Callable[[int], float]
) -> tuple[list[float], list[float]]:
    """Alternate the two sides call by call, so background noise hits both alike."""
    plan_ms, ours_ms = [], []
    for i in range(runs):
        plan_ms.append(plan_call(i))
        ours_ms.append(ours_call(i))
    return plan_ms, ours_ms


def lead_shape(doc: dict | None) -> tuple:
    """What both functions must agree on for one lead (timestamps differ in type)."""
    if doc is None:
        return ()

    def ids(key: str) -> list[str]:
        return sorted(item["id"] for item in doc.get(key) or [])

    assignment = doc.get("current_assignment")
    return (
        doc["lead"]["id"],
        ids("products"),
        ids("activities"),
        ids("pending_follow_ups"),
        ids("pending_approvals"),
        doc.get("ai_analysis"),
        assignment and assignment["lead_id"],
    )


def bench_lead_full(admin, plan, ours, calls: int) -> tuple[Timing, Timing, str]:
    admin.execute("SELECT setseed(0.42)")
    ids = [row[0] for row in admin.execute("SELECT id FROM leads ORDER BY random() LIMIT %s", [calls + 20])]
    warm, ids = ids[:20], ids[20:]
    for lead_id in warm:
        timed(plan, "SELECT get_lead_full(%s)::text", [lead_id])
        timed(ours, "SELECT get_lead_full(%s)::text", [lead_id])
    plan_docs, ours_docs = {}, {}

    def call(conn, docs):
        def run(i: int) -> float:
            ms, rows = timed(conn, "SELECT get_lead_full(%s)::text", [ids[i]])
            docs[ids[i]] = rows[0][0]
            return ms

        return run

    plan_ms, ours_ms = paired(len(ids), call(plan, plan_docs), call(ours, ours_docs))
    differing = [i for i in ids if lead_shape(json.loads(plan_docs[i])) != lead_shape(json.loads(ours_docs[i]))]
    extra = set(json.loads(ours_docs[ids[0]])) - set(json.loads(plan_docs[ids[0]]))
    check = f"{len(ids) - len(differing)}/{len(ids)} leads agree on lead, products, activities, pending items"
    check += f"; extra keys in ours: {sorted(extra)}"
    if differing:
        check += f"; first differing lead: {differing[0]}"
    return Timing("get_lead_full (plan)", plan_ms), Timing("get_lead_full (ours)", ours_ms), check


def bench_dashboard(plan, ours, runs: int) -> tuple[Timing, Timing, str]:
    timed(plan, "SELECT get_dashboard_stats()::text")
    timed(ours, "SELECT get_dashboard_stats()::text")
    results: dict[str, dict] = {}

    def call(conn, side):
        def run(_i: int) -> float:
            ms, rows = timed(conn, "SELECT get_dashboard_stats()::text")
            results[side] = json.loads(rows[0][0])
            return ms

        return run

    plan_ms, ours_ms = paired(runs, call(plan, "plan"), call(ours, "ours"))
    differences = {
        key: (results["plan"].get(key), results["ours"].get(key))
        for key in results["plan"]
        if results["plan"].get(key) != results["ours"].get(key)
    }
    check = "figures identical" if not differences else f"figures differ (plan, ours): {differences}"
    check += f"; ours: {results['ours']}"
    return Timing("get_dashboard_stats (plan)", plan_ms), Timing("get_dashboard_stats (ours)", ours_ms), check


def bench_follow_ups(plan, ours, runs: int, page_runs: int) -> tuple[list[Timing], str, tuple]:
    _, all_ours = timed(ours, "SELECT activity_id, scheduled_for FROM get_pending_follow_ups()")
    _, all_plan = timed(plan, "SELECT activity_id FROM get_pending_follow_ups()")
    middle = all_ours[len(all_ours) // 2] if all_ours else (None, None)
    deep_ids = [row[0] for row in all_ours[len(all_ours) // 2 + 1 : len(all_ours) // 2 + 1 + PAGE]]
    first_page = "SELECT * FROM get_pending_follow_ups(p_limit => %s)"
    deep_page = "SELECT * FROM get_pending_follow_ups(p_limit => %s, p_after_scheduled_for => %s, p_after_id => %s)"

    plan_ms, ours_all_ms = paired(
        runs,
        lambda _i: timed(plan, "SELECT * FROM get_pending_follow_ups()")[0],
        lambda _i: timed(ours, "SELECT * FROM get_pending_follow_ups()")[0],
    )
    pages: dict[str, list] = {}

    def page(query: str, params: list, key: str, *, prepared: bool) -> list[float]:
        # psycopg prepares a statement on its 6th call, and PostgreSQL may then
        # switch to a generic plan (parameters unknown); Django's client-side
        # binding sends literals, so every call gets a custom plan.
        ours.prepare_threshold = 5 if prepared else None
        samples = []
        for _ in range(page_runs + 1):
            ms, rows = timed(ours, query, params)
            samples.append(ms)
        ours.prepare_threshold = 5
        pages[key] = [row[0] for row in rows]
        return samples[1:]  # the first call warms the cache

    first_ms = page(first_page, [PAGE], "first", prepared=True)
    deep_ms = page(deep_page, [PAGE, middle[1], middle[0]], "deep", prepared=False)
    deep_prepared_ms = page(deep_page, [PAGE, middle[1], middle[0]], "deep_prepared", prepared=True)

    plan_set, ours_set = {row[0] for row in all_plan}, {row[0] for row in all_ours}
    check = (
        f"due follow-ups: plan {len(plan_set)}, ours {len(ours_set)}, in one and not the other "
        f"{len(plan_set ^ ours_set)}; first page = ours' first {PAGE}: "
        f"{pages['first'] == [row[0] for row in all_ours[:PAGE]]}; keyset page after row {len(all_ours) // 2} "
        f"= the next {PAGE}: {pages['deep'] == deep_ids == pages['deep_prepared']}"
    )
    timings = [
        Timing("get_pending_follow_ups() all rows (plan)", plan_ms),
        Timing("get_pending_follow_ups() all rows (ours)", ours_all_ms),
        Timing(f"get_pending_follow_ups(p_limit => {PAGE}) first page (ours)", first_ms),
        Timing(f"get_pending_follow_ups({PAGE}, after the middle row) (ours)", deep_ms),
        Timing(f"get_pending_follow_ups({PAGE}, after the middle row), prepared (ours)", deep_prepared_ms),
    ]
    return timings, check, middle


def print_table(rows: list[tuple[str, Timing, Timing, str, bool | None]]) -> bool:
    """Markdown table: the plan's p50/p95 beside ours, and each target."""
    print("| function | calls | plan p50 ms | plan p95 ms | ours p50 ms | ours p95 ms | p95 speed-up | target | met |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    all_met = True
    for name, plan_t, ours_t, target, met in rows:
        speedup = plan_t.quantile(95) / ours_t.quantile(95)
        mark = "-" if met is None else ("yes" if met else "**NO**")
        all_met = all_met and met is not False
        print(
            f"| {name} | {len(ours_t.samples_ms)} | {plan_t.quantile(50):.2f} | {plan_t.quantile(95):.2f} "
            f"| {ours_t.quantile(50):.2f} | {ours_t.quantile(95):.2f} | {speedup:.1f}x | {target} | {mark} |"
        )
    return all_met


def explain_all(admin, plan, ours, lead_id, cursor: tuple, out: list[str]) -> bool:
    """EXPLAIN every statement of each function; ours must use indexes, no big seq scan."""
    uuid = sql.Literal(str(lead_id)) + sql.SQL("::uuid")
    null = sql.SQL("NULL")
    no_page = dict.fromkeys(("p_limit", "p_after_scheduled_for", "p_after_id", "p_owner_id"), null)
    first = no_page | {"p_limit": sql.Literal(PAGE)}
    after = first | {
        "p_after_scheduled_for": sql.Literal(cursor[1]) + sql.SQL("::timestamptz"),
        "p_after_id": sql.Literal(str(cursor[0])) + sql.SQL("::uuid"),
    }
    # (schema, function, arguments, note, judged): the unbounded call is the plan's
    # contract kept for compatibility; joining all its rows by hash is right.
    cases = [
        ("plan", "get_lead_full", {"lead_uuid": uuid}, "", False),
        ("public", "get_lead_full", {"lead_uuid": uuid}, "", True),
        ("plan", "get_dashboard_stats", {}, "", False),
        ("public", "get_dashboard_stats", {}, "", True),
        ("plan", "get_pending_follow_ups", {}, "(all due rows)", False),
        ("public", "get_pending_follow_ups", no_page, "(all due rows)", False),
        ("public", "get_pending_follow_ups", first, f"(first page of {PAGE})", True),
        ("public", "get_pending_follow_ups", after, f"(keyset page of {PAGE} after the middle row)", True),
    ]  # fmt: skip
    ok = True
    for schema, name, arguments, note, judged in cases:
        statements, definer = function_statements(admin, schema, name, arguments)
        side = "plan" if schema == "plan" else "ours"
        # A SECURITY DEFINER function runs its statements as its owner.
        conn = plan if schema == "plan" else (admin if definer else ours)
        header = f"### {side}: {name} {note}".rstrip()
        print(f"\n{header}")
        out.append(header)
        verdicts = []
        for number, statement in enumerate(statements, 1):
            try:
                plan_lines = explain(conn, statement)
            except psycopg.Error as exc:  # a bug in the function is a finding, not a crash
                plan_lines = [f"ERROR: {exc}".replace("\n", " ")]
                ok = False
            out += [f"-- statement {number}: {statement}", *plan_lines, ""]
            print(f"statement {number}:")
            for line in key_lines(plan_lines):
                print(f"    {line}")
            verdicts.append((uses_index(plan_lines), big_table_seq_scans(plan_lines)))
        if judged:
            indexed = any(index for index, _ in verdicts)
            seq = [line for _, scans in verdicts for line in scans]
            print(f"=> index use: {'yes' if indexed else 'NO'}; seq scans on big tables: {seq or 'none'}")
            ok = ok and indexed and not seq
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, required=True, help="leads to seed (e.g. 100000, 1000000)")
    parser.add_argument("--lead-calls", type=int, default=200, help="random leads for get_lead_full")
    parser.add_argument("--runs", type=int, default=20, help="calls of the dashboard and of all due follow-ups")
    parser.add_argument("--page-runs", type=int, default=200, help="calls of each follow-up page")
    parser.add_argument("--reseed", action="store_true", help="drop and reseed the bench database")
    parser.add_argument(
        "--existing-data",
        action="store_true",
        help="BENCH_DATABASE_URL already holds migrated, seeded data: only load the plan schema",
    )
    parser.add_argument("--explain-file", type=Path, help="write the full EXPLAIN output here")
    args = parser.parse_args()
    if args.leads < 1 or args.lead_calls < 2 or args.runs < 2 or args.page_runs < 2:
        parser.error("--leads must be positive; --lead-calls, --runs and --page-runs at least 2")

    # The business zone, as leadsys.settings reads it: the plan's timestamps are local to it.
    time_zone = os.environ.get("TIME_ZONE", "Asia/Kolkata")
    url, _handle = ensure_bench_data(
        args.leads, reseed=args.reseed, time_zone=time_zone, existing_data=args.existing_data
    )

    admin = psycopg.connect(url, autocommit=True)
    admin.execute(sql.SQL("SET TIME ZONE {}").format(sql.Literal(time_zone)))
    started = time.perf_counter()
    admin.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
    sizes = admin.execute(
        "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM lead_activity),"
        " (SELECT count(*) FROM lead_activity WHERE type = 'follow_up' AND status = 'pending'"
        "   AND try_timestamptz(metadata->>'scheduled_for') <= now()),"
        " (SELECT count(*) FROM assignments), (SELECT count(*) FROM lead_products), version()"
    ).fetchone()
    print(
        f"data: {sizes[0]} leads, {sizes[1]} activities ({sizes[1] / max(sizes[0], 1):.1f} per lead), "
        f"{sizes[2]} due pending follow-ups, {sizes[3]} assignments, {sizes[4]} products"
    )
    print(f"server: {sizes[5].split(',')[0]}")

    plan = connect(url, time_zone=time_zone, plan=True)
    ours = connect(url, time_zone=time_zone, plan=False)
    role, rls = ours.execute(
        "SELECT current_user, (SELECT bool_and(relrowsecurity) FROM pg_class"
        " WHERE relname IN ('leads', 'lead_products', 'lead_activity', 'assignments')"
        " AND relnamespace = 'public'::regnamespace)"
    ).fetchone()
    print(f"ours runs as {role}, row-level security enabled on the four tables: {rls}\n")
    random.seed(42)

    lead_plan, lead_ours, lead_check = bench_lead_full(admin, plan, ours, args.lead_calls)
    dash_plan, dash_ours, dash_check = bench_dashboard(plan, ours, args.runs)
    follow, follow_check, cursor = bench_follow_ups(plan, ours, args.runs, args.page_runs)
    follow_plan = follow[0]
    rows = [
        ("get_lead_full", lead_plan, lead_ours, "ours p95 <= plan p95", lead_ours.quantile(95) <= lead_plan.quantile(95)),
        ("get_dashboard_stats", dash_plan, dash_ours, ">= 20x", dash_plan.quantile(95) / dash_ours.quantile(95) >= 20),
        ("get_pending_follow_ups, all due rows", follow_plan, follow[1], "-", None),
        (f"get_pending_follow_ups, page of {PAGE} (first)", follow_plan, follow[2], ">= 20x vs plan's call",
         follow_plan.quantile(95) / follow[2].quantile(95) >= 20),
        (f"get_pending_follow_ups, page of {PAGE} (keyset, middle)", follow_plan, follow[3], ">= 20x vs plan's call",
         follow_plan.quantile(95) / follow[3].quantile(95) >= 20),
        (f"get_pending_follow_ups, page of {PAGE} (keyset, middle, driver-prepared)", follow_plan, follow[4],
         ">= 20x vs plan's call", follow_plan.quantile(95) / follow[4].quantile(95) >= 20),
    ]  # fmt: skip
    load = os.getloadavg()
    print(f"## {args.leads} leads (load average during the run: {load[0]:.1f} on {os.cpu_count()} CPUs)\n")
    targets_met = print_table(rows)
    print(f"\nget_lead_full: {lead_check}")
    print(f"get_dashboard_stats: {dash_check}")
    print(f"get_pending_follow_ups: {follow_check}")

    print("\n## EXPLAIN (ANALYZE, BUFFERS), key lines")
    full: list[str] = []
    sample_lead = admin.execute("SELECT lead_id FROM lead_activity WHERE type = 'follow_up' LIMIT 1").fetchone()[0]
    indexes_ok = explain_all(admin, plan, ours, sample_lead, cursor, full)
    if args.explain_file:
        args.explain_file.write_text("\n".join(full) + "\n")
        print(f"\nfull EXPLAIN output: {args.explain_file}")
    print(f"\ntargets met: {targets_met}; ours uses indexes with no big seq scan: {indexes_ok}")
    return 0 if targets_met and indexes_ok else 1


if __name__ == "__main__":
    sys.exit(main())
