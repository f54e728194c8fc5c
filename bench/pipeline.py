"""The whole pipeline under a steady load: submitted, triaged and assigned per second, and the queue's lag.

    .venv/bin/python bench/pipeline.py --rate 100 --seconds 60
    .venv/bin/python bench/pipeline.py --rates 25,50,100,150 --seconds 30   # where it stops keeping up

Creates a database of its own (leadsys_pipeline_bench) on the embedded server, or
uses BENCH_DATABASE_URL; starts uWSGI with deploy/uwsgi.ini and production
settings, and the supervised worker (manage.py run_worker); submits new leads at
a fixed rate through POST /api/v1/submissions/; and prints, each second, the
leads submitted, the leads assigned (their `assignment` event), the queue's lag
(age of the oldest due `todo` job) and submit-to-assigned latency p50/p95. The
worker keeps up when the lag stays flat and every lead is assigned within a few
seconds of the load ending.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intake import machine_speed, payload, production_env, server_command, wait_for_server  # noqa: E402

LAG_SQL = """
SELECT coalesce(extract(epoch FROM now() - min(e.at)), 0)
FROM procrastinate_jobs j
JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
"""
ASSIGNED_SQL = """
SELECT l.created_at, min(a.created_at) FROM leads l
JOIN lead_activity a ON a.lead_id = l.id AND a.type = 'assignment'
WHERE l.email LIKE %s GROUP BY l.id, l.created_at
"""


def database_url(name: str) -> tuple[str, object]:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], None
    from urllib.parse import quote

    from leadsys.db import embedded_database_settings

    db = embedded_database_settings()
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # name: this module's constant
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@{quote(db['HOST'], safe='')}:{db['PORT']}/{name}", db


def submitter(port: int, rate: float, seconds: float, run: str, sent: list[float], errors: list[str]) -> None:
    """One lead every 1/rate seconds on one keep-alive connection (a late request is sent at once)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    n = 0
    while (due := start + n / rate) < start + seconds:
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        try:
            conn.request(
                "POST", "/api/v1/submissions/", body=payload(n, run), headers={"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(exc.__class__.__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent.append(time.perf_counter())
        n += 1
    conn.close()


def run_at(url: str, port: int, rate: float, seconds: float, drain: float) -> dict[str, float]:
    run = secrets.token_hex(4)
    sent: list[float] = []
    errors: list[str] = []
    clients = max(1, int(rate // 50) + 1)  # enough connections that latency does not cap the rate
    threads = [
        threading.Thread(target=submitter, args=(port, rate / clients, seconds, f"{run}-{i}", sent, errors))
        for i in range(clients)
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        lags = []
        print(f"rate {rate:g}/s for {seconds:g} s: second, submitted, assigned, lag s", flush=True)
        second = 0
        while any(t.is_alive() for t in threads) or time.perf_counter() - started < seconds + drain:
            time.sleep(max(0.0, started + second + 1 - time.perf_counter()))
            second += 1
            assigned = conn.execute(
                "SELECT count(DISTINCT a.lead_id) FROM lead_activity a JOIN leads l ON l.id = a.lead_id "
                "WHERE a.type = 'assignment' AND l.email LIKE %s",
                [f"bench-{run}-%"],
            ).fetchone()[0]
            lag = float(conn.execute(LAG_SQL).fetchone()[0])
            lags.append(lag)
            print(f"  {second:4d} {len(sent):7d} {assigned:7d} {lag:6.1f}", flush=True)
            if second > seconds and assigned >= len(sent) and not any(t.is_alive() for t in threads):
                break
        rows = conn.execute(ASSIGNED_SQL, [f"bench-{run}-%"]).fetchall()
    latencies = sorted((assigned - created).total_seconds() for created, assigned in rows)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    first_half = statistics.mean(lags[: len(lags) // 2] or [0])
    second_half = statistics.mean(lags[len(lags) // 2 : int(seconds)] or [0])
    return {
        "rate": rate,
        "submitted": len(sent),
        "assigned": len(rows),
        "errors": len(errors),
        "p50": quantiles[49],
        "p95": quantiles[94],
        "max_lag": max(lags or [0]),
        "lag_growth": second_half - first_half,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="100", help="comma-separated leads/s, each run in turn")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for the worker after the load")
    parser.add_argument("--workers", type=int, default=2, help="uWSGI processes")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--concurrency", type=int, default=None, help="jobs each worker runs at once (default: settings)"
    )
    parser.add_argument("--worker-processes", type=int, default=1, help="worker processes (manage.py run_worker)")
    args = parser.parse_args()

    url, _handle = database_url("leadsys_pipeline_bench")
    env = {**production_env(url), "EMAIL_PROVIDER": "console"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # A rep who covers everything, so every lead can be assigned.
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BENCH_REPS],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # the console email backend prints
    server = subprocess.Popen(server_command(args.workers, args.port), cwd=ROOT, env=env, **quiet)
    worker_command = [sys.executable, "manage.py", "run_worker"]
    if args.concurrency:
        worker_command += ["--concurrency", str(args.concurrency)]
    workers = [subprocess.Popen(worker_command, cwd=ROOT, env=env, **quiet) for _ in range(args.worker_processes)]
    results = []
    try:
        wait_for_server(args.port)
        for rate in (float(r) for r in args.rates.split(",")):
            speed = machine_speed()
            result = run_at(url, args.port, rate, args.seconds, args.drain)
            result["speed"] = speed
            results.append(result)
    finally:
        for process in (server, *workers):
            process.terminate()
        for process in (server, *workers):
            process.wait(20)
    concurrency = args.concurrency or "WORKER_CONCURRENCY"
    print(
        f"uWSGI processes={args.workers}, {args.worker_processes} supervised worker(s) (concurrency {concurrency}); "
        f"{args.seconds:g} s per rate"
    )
    for r in results:
        kept_up = r["assigned"] == r["submitted"] and r["lag_growth"] < 2
        print(
            f"rate {r['rate']:5g}/s  submitted {r['submitted']:6d}  assigned {r['assigned']:6d}  errors {r['errors']:4d}"
            f"  submit->assigned p50 {r['p50']:6.2f} s p95 {r['p95']:6.2f} s  max lag {r['max_lag']:5.1f} s"
            f"  lag growth {r['lag_growth']:+5.1f} s  kept up: {'yes' if kept_up else 'NO'}"
            f"  (fixed loop before it: {r['speed']:.2f} s CPU)"
        )


BENCH_REPS = """
from assignments.models import REPS_GROUP, RepProfile
from django.contrib.auth.models import Group, User
group = Group.objects.get(name=REPS_GROUP)
for n in range(4):
    user, _ = User.objects.get_or_create(username=f"bench-rep-{n}", defaults={"email": f"rep{n}@example.com"})
    user.groups.add(group)
    RepProfile.objects.update_or_create(user=user, defaults={"max_open_leads": 10_000_000})
"""


if __name__ == "__main__":
    main()
