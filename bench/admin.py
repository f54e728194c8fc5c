"""Server time of the admin, the console's lead list and the API's lead list at bench size.

Runs against the bench database bench/sql_functions.py seeded (leadsys_bench_<N>;
run that first, or give BENCH_DATABASE_URL). Requests go through Django's
full stack in this process (URL routing, middleware, auth, views, templates,
the database), so the figure is server time without the network.

    .venv/bin/python bench/admin.py --leads 1000000 --runs 20

It migrates the bench database to the indexes this code expects, ANALYZEs,
then prints p50/p95/max per page and the slowest page's EXPLAIN if asked.

    .venv/bin/python bench/admin.py --leads 1000000 --runs 40 --roles

--roles measures only what staff requests pay for running as `authenticated`
(leadsys.roles.staff_role: SET LOCAL ROLE, the app.* settings, row-level
security in every plan): the lead page and the API's lead list, each request
alternating between the owner (the same view in a plain transaction) and the
role, so both see the same cache and the same neighbours on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intake import machine_speed  # noqa: E402
from sql_setup import bench_database_url, manage  # noqa: E402

# Migrations this bench needs; named so that work in progress elsewhere is not applied.


def timed_get(client: object, path: str, params: dict | None, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params or {})  # type: ignore[attr-defined]
        if response.status_code != 200:
            raise SystemExit(f"{path} {params}: HTTP {response.status_code}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"{label:<58} p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, required=True, help="the bench size seeded by bench/sql_functions.py")
    parser.add_argument("--runs", type=int, default=20, help="requests per page (first one warms the cache)")
    parser.add_argument("--skip-migrate", action="store_true")
    parser.add_argument("--roles", action="store_true", help="owner vs authenticated, alternated, and nothing else")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label contains this ('export': the CSV)"
    )
    args = parser.parse_args()

    url, _, _handle = bench_database_url(args.leads, reseed=False)
    if not args.skip_migrate:
        # Forward to the latest migrations only: pinned targets went stale and rolled newer ones back.
        manage(url, "migrate", "--no-input")
    # Production settings, as a deployment runs them (the test client speaks plain HTTP).
    production = {"DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 50, "SECURE_SSL_REDIRECT": "false"}
    production["REQUIRE_2FA_FOR_MANAGERS"] = "false"  # the bench user signs in with force_login, no device
    os.environ.update({"DATABASE_URL": url, "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING", **production})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadsys.settings")
    manage(url, "collectstatic", "--no-input", "--verbosity", "0")

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from leads.models import Lead

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads; ANALYZE assignments")
    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.com"}
    )
    client = Client()
    client.force_login(user)
    token = Token.objects.get_or_create(user=user)[0].key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")

    rng = random.Random(7)
    # The same leads every run: the first at or after 200 fixed random ids.
    sample = []
    for _ in range(200):
        after = uuid.UUID(int=rng.getrandbits(128))
        sample += (
            Lead.objects.filter(id__gte=after).order_by("id").values("id", "name", "email", "phone", "company")[:1]
        )
    name_word = sample[0]["name"].split()[0]
    full_name = sample[1]["name"]
    email = sample[2]["email"]
    phone_digits = next(s["phone"] for s in sample if s["phone"])[3:9]
    company_word = next(s["company"] for s in sample if s["company"]).split()[0]

    if args.roles:
        return compare_roles(client, api, sample, args.runs)

    from leadsys.keyset import encode_cursor

    def cursor_at(sql: str) -> str:
        """The keyset cursor of the row `sql` finds (one OFFSET read here, never in a page)."""
        with connection.cursor() as cursor:
            cursor.execute(sql)
            at, row_id = cursor.fetchone()
        return encode_cursor(at, row_id)

    deep = min(800_000, max(args.leads - 100, 0))
    lead_800k = cursor_at(f"SELECT created_at, id FROM leads ORDER BY created_at DESC, id DESC OFFSET {deep} LIMIT 1")
    high_deep = cursor_at(
        "SELECT l.created_at, l.id FROM leads l JOIN lead_current_triage t ON t.lead_id = l.id "
        f"WHERE t.priority = 'high' ORDER BY l.created_at DESC, l.id DESC OFFSET {deep // 4} LIMIT 1"
    )
    approvals_deep = cursor_at(
        "SELECT created_at, id FROM lead_activity WHERE type = 'approval' AND status = 'pending' "
        "ORDER BY created_at DESC, id DESC OFFSET (SELECT count(*) * 9 / 10 FROM lead_activity "
        "WHERE type = 'approval' AND status = 'pending') LIMIT 1"
    )

    follow_ups_deep = cursor_at(
        "SELECT scheduled_for, activity_id FROM get_pending_follow_ups() "
        "OFFSET (SELECT count(*) * 9 / 10 FROM get_pending_follow_ups()) LIMIT 1"
    )

    from django.db.models import Count

    from assignments.models import Assignment

    busiest = (
        Assignment.objects.filter(status="active", owner_id__regex=r"^[0-9]{1,9}$")
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    # The queue of a rep who exists as a user (bench data may name owners that do not).
    busiest_owner = busiest["owner_id"] if busiest and User.objects.filter(id=int(busiest["owner_id"])).exists() else ""
    # The leads list filtered by owner: the rep owning the most leads and a staff member owning none
    # (the filter must not walk a million leads to find nothing), and the unassigned.
    from leads.console.lead_filters import UNASSIGNED, LeadFilterForm

    staff_ids = [value for value, _ in LeadFilterForm().fields["owner"].choices if value not in ("", UNASSIGNED)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, (SELECT count(*) FROM lead_list_columns c WHERE c.owner_id = s.id) "
            "FROM unnest(%s::text[]) AS s (id) ORDER BY 2 DESC, 1",
            [staff_ids],
        )
        owned = cursor.fetchall()
    top_owner = owned[0][0] if owned else ""
    idle_owner = next((owner for owner, n in owned if n == 0), "")

    pages: list[tuple[str, str, dict | None]] = [
        ("console: dashboard", "/console/", None),
        ("console: approvals", "/console/approvals/", None),
        ("console: approvals, 90 % deep", "/console/approvals/", {"after": approvals_deep}),
        ("console: follow-ups due", "/console/follow-ups/", None),
        ("console: follow-ups due, 90 % deep", "/console/follow-ups/", {"all_after": follow_ups_deep}),
        ("console: my queue", "/console/queue/", None),
        (f"console: leads list after {deep:,} rows", "/console/leads/", {"after": lead_800k}),
        (
            f"console: leads priority=high after {deep // 4:,} of them",
            "/console/leads/",
            {"priority": "high", "after": high_deep},
        ),
        (f"api: leads after {deep:,} rows", "/api/v1/leads/", {"cursor": lead_800k}),
        ("admin: lead change list, page 5000 (capped)", "/admin/leads/lead/", {"p": "5000"}),
        ("admin: lead change list", "/admin/leads/lead/", None),
        ("admin: lead change list, page 50", "/admin/leads/lead/", {"p": "50"}),
        ("admin: lead change list, status=new", "/admin/leads/lead/", {"status__exact": "new"}),
        ("admin: lead change list, role=Architect", "/admin/leads/lead/", {"role": "Architect"}),
        (f"admin: search a first name ({name_word})", "/admin/leads/lead/", {"q": name_word}),
        (f"admin: search a full name ({full_name})", "/admin/leads/lead/", {"q": full_name}),
        ("admin: search an email", "/admin/leads/lead/", {"q": email}),
        ("admin: search an email's beginning", "/admin/leads/lead/", {"q": email.split("@")[0][:6] + "@"}),
        ("admin: search phone digits", "/admin/leads/lead/", {"q": phone_digits}),
        (f"admin: search a company word ({company_word})", "/admin/leads/lead/", {"q": company_word}),
        ("admin: event change list (8M rows)", "/admin/activity/leadactivity/", None),
        ("admin: event change list, type=approval", "/admin/activity/leadactivity/", {"type__exact": "approval"}),
        ("admin: assignment change list", "/admin/assignments/assignment/", None),
        ("console: leads list", "/console/leads/", None),
        (f"console: leads search ({name_word})", "/console/leads/", {"q": name_word}),
        ("console: leads priority=high", "/console/leads/", {"priority": "high"}),
        ("console: leads priority=low", "/console/leads/", {"priority": "low"}),
        ("console: leads owner=the rep owning most", "/console/leads/", {"owner": top_owner}),
        ("console: leads owner=a staff member owning none", "/console/leads/", {"owner": idle_owner}),
        ("console: leads owner=unassigned", "/console/leads/", {"owner": "none"}),
        (
            f"console: leads owner=the rep owning most, after {deep:,} rows",
            "/console/leads/",
            {"owner": top_owner, "after": lead_800k},
        ),
        (
            f"console: leads owner=unassigned, after {deep:,} rows",
            "/console/leads/",
            {"owner": "none", "after": lead_800k},
        ),
        ("console: lead page", f"/console/leads/{sample[0]['id']}/", None),
        ("console: queue of the busiest rep", "/console/queue/", {"owner": busiest_owner} if busiest_owner else None),
        ("console: pipeline board", "/console/board/", None),
        ("api: leads", "/api/v1/leads/", None),
        ("api: leads priority=high", "/api/v1/leads/", {"priority": "high"}),
        ("api: leads intent=job_application", "/api/v1/leads/", {"intent": "job_application"}),
    ]
    print(f"bench size {args.leads:,} leads; {args.runs} requests per page; server time in-process")
    # This machine's speed swings; the same fixed loop the intake bench times says how fast it was.
    print(f"machine speed: fixed loop {machine_speed():.2f} s CPU (lower is faster)")
    lines = []
    for label, path, params in pages:
        if args.only not in label:
            continue
        runner = api if path.startswith("/api/") else client
        times = timed_get(runner, path, params, args.runs)
        lines.append(report(label, times[1:]))
        print(lines[-1], flush=True)

    if args.only and args.only not in "export":
        return 0
    # The CSV export of every lead: first byte, rows per second, completeness, memory.
    import resource

    started = time.perf_counter()
    response = client.get("/console/leads/export.csv")
    first_byte = first_row = None
    newlines = 0
    last = b""
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started  # the header line
        newlines += chunk.count(b"\n")
        if first_row is None and newlines >= 2:
            first_row = time.perf_counter() - started  # the first lead's row
        last = chunk
    total = time.perf_counter() - started
    trailer = last.strip().splitlines()[-1].decode()
    rows = int(trailer.split()[2]) if trailer.startswith("# complete:") else newlines - 1
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"console: CSV export of all leads: first byte {first_byte * 1000:.0f} ms, first row {first_row * 1000:.0f} ms, "
        f"{rows:,} rows in {total:.1f} s "
        f"({rows / total:,.0f} rows/s), last line {trailer!r}, "
        f"peak RSS of this process {rss_mb:.0f} MB",
        flush=True,
    )

    change_times = []
    for row in rng.sample(sample, min(len(sample), args.runs * 2)):
        change_times += timed_get(client, f"/admin/leads/lead/{row['id']}/change/", None, 1)
    lines.append(report(f"admin: lead change page ({len(change_times)} different leads)", change_times))
    print(lines[-1])
    print(f"machine speed: fixed loop {machine_speed():.2f} s CPU (lower is faster)")
    return 0


def compare_roles(client: object, api: object, sample: list[dict], runs: int) -> int:
    """Owner vs authenticated on the same pages, request by request in turn (ABAB...)."""
    from django.db import transaction

    from assignments import guards
    from leadsys.roles import staff_role

    def as_owner(**_: object) -> contextlib.AbstractContextManager:
        return transaction.atomic()  # the same single transaction, without the role

    pages = [
        (f"console: lead page ({min(len(sample), runs)} leads)", client, None),
        ("api: leads", api, "/api/v1/leads/"),
    ]
    pages += [
        ("api: leads status=new", api, "/api/v1/leads/?status=new"),
        ("console: leads list", client, "/console/leads/"),
    ]
    print(f"owner vs authenticated, alternated; {runs} requests each per page")
    worst = 0.0
    for label, runner, path in pages:
        times: dict[str, list[float]] = {"owner": [], "authenticated": []}
        for i in range(runs + 1):
            target = path or f"/console/leads/{sample[i % len(sample)]['id']}/"
            order = ("owner", "authenticated") if i % 2 == 0 else ("authenticated", "owner")
            for mode in order:
                guards.staff_role = staff_role if mode == "authenticated" else as_owner
                took = timed_get(runner, target, None, 1)
                if i:  # the first round warms the cache
                    times[mode] += took
        guards.staff_role = staff_role
        owner, role = statistics.median(times["owner"]), statistics.median(times["authenticated"])
        worst = max(worst, role / owner - 1)
        print(report(f"{label}, owner", times["owner"]))
        print(report(f"{label}, authenticated", times["authenticated"]))
        print(f"{'':<58} authenticated costs {100 * (role / owner - 1):+.1f} % (p50)", flush=True)
    print(f"worst p50 difference: {100 * worst:+.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
