"""Server time of the admin, the console's lead list and the API's lead list at bench size.

Runs against the bench database bench/sql_functions.py seeded (leadsys_bench_<N>;
run that first, or give BENCH_DATABASE_URL). Requests go through Django's
full stack in this process (URL routing, middleware, auth, views, templates,
the database), so the figure is server time without the network.

    .venv/bin/python bench/admin.py --leads 1000000 --runs 20

It migrates the bench database to the indexes this code expects, ANALYZEs,
then prints p50/p95/max per page and the slowest page's EXPLAIN if asked.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()

    url, _, _handle = bench_database_url(args.leads, reseed=False)
    if not args.skip_migrate:
        # Forward to the latest migrations only: pinned targets went stale and rolled newer ones back.
        manage(url, "migrate", "--no-input")
    # Production settings, as a deployment runs them (the test client speaks plain HTTP).
    production = {"DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 50, "SECURE_SSL_REDIRECT": "false"}
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

    pages: list[tuple[str, str, dict | None]] = [
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
        ("console: lead page", f"/console/leads/{sample[0]['id']}/", None),
        ("console: queue of the busiest rep", "/console/queue/", {"owner": busiest_owner} if busiest_owner else None),
        ("console: pipeline board", "/console/board/", None),
        ("api: leads", "/api/v1/leads/", None),
        ("api: leads priority=high", "/api/v1/leads/", {"priority": "high"}),
        ("api: leads intent=job_application", "/api/v1/leads/", {"intent": "job_application"}),
    ]
    print(f"bench size {args.leads:,} leads; {args.runs} requests per page; server time in-process")
    lines = []
    for label, path, params in pages:
        runner = api if path.startswith("/api/") else client
        times = timed_get(runner, path, params, args.runs)
        lines.append(report(label, times[1:]))
        print(lines[-1], flush=True)

    change_times = []
    for row in rng.sample(sample, min(len(sample), args.runs * 2)):
        change_times += timed_get(client, f"/admin/leads/lead/{row['id']}/change/", None, 1)
    lines.append(report(f"admin: lead change page ({len(change_times)} different leads)", change_times))
    print(lines[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
