"""Intake throughput: POST /api/v1/submissions/ over HTTP against the production server.

    .venv/bin/python bench/intake.py --clients 4 --requests 10000 --workers 4 --runs 3

Creates a separate database (leadsys_intake_bench) on the embedded server, or
uses BENCH_DATABASE_URL, migrates it, starts uWSGI with deploy/uwsgi.ini and
production settings (DEBUG=false, rate limit off), drives it with N concurrent
keep-alive clients (request bodies built before the clock starts),
and prints leads/s, p50/p95/p99 latency and errors. Every request is a new
lead with two product interests (so 1 lead + 2 products + 1 consent event +
2 jobs + the duplicate check, all in one transaction).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url() -> tuple[str, object]:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], None
    from leadsys.db import embedded_database_settings

    db = embedded_database_settings()  # holds the embedded server open while we run
    import psycopg

    with psycopg.connect(host=db["HOST"], port=db["PORT"], user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS leadsys_intake_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE leadsys_intake_bench")
    return f"postgres://postgres@{quote(db['HOST'], safe='')}:{db['PORT']}/leadsys_intake_bench", db


def payload(n: int, run: str) -> bytes:
    return json.dumps(
        {
            "name": f"Bench Visitor {n}",
            "email": f"bench-{run}-{n}@example.com",
            "phone": f"+91 98{n % 100_000_000:08d}",
            "company": "Bench Builders",
            "role": "Builder",
            "location": "Pune",
            "message": "Need laminate flooring and wall panels for a 40-flat project, please send a quote.",
            "product_interests": [
                {"category": "Flooring", "product": "Premium Laminate Flooring", "quantity": "12000 sq ft"},
                {"category": "Wall", "product": "Designer Wall Panels", "quantity": "3000 sq ft"},
            ],
            "consent": {"privacy_accepted": True, "marketing_opt_in": False},
        }
    ).encode()


def client(port: int, bodies: list[bytes], latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for body in bodies:
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/submissions/", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(exc.__class__.__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    conn.close()


def server_command(workers: int, port: int) -> list[str]:
    uwsgi = Path(sys.executable).parent / "uwsgi"
    return [
        str(uwsgi),
        "--ini",
        "deploy/uwsgi.ini",
        "--http11-socket",
        f"127.0.0.1:{port}",
        "--processes",
        str(workers),
    ]


def production_env(url: str) -> dict[str, str]:
    """The environment of a production deployment on `url`, with the per-IP rate limit off (one client IP here)."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "INTAKE_RATE_LIMIT": "0",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def wait_for_server(port: int) -> None:
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/health/")
            return
        except OSError:
            time.sleep(0.2)


def machine_speed() -> float:
    """CPU seconds of a fixed loop: this machine's speed swings about 2x from minute to minute."""
    started = time.process_time()
    total = 0
    for n in range(3_000_000):
        total += n * n
    return time.process_time() - started


def one_run(args: argparse.Namespace, run: str) -> tuple[float, list[float], list[str]]:
    """Drive the server once with fresh leads; return (leads/s, latencies, errors)."""
    latencies: list[float] = []
    errors: list[str] = []
    bodies = [payload(n, run) for n in range(args.requests)]
    threads = [
        threading.Thread(target=client, args=(args.port, bodies[i :: args.clients], latencies, errors))
        for i in range(args.clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return args.requests / (time.perf_counter() - started), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--runs", type=int, default=3, help="timed runs against one server; the median is the result")
    args = parser.parse_args()

    url, _handle = bench_database_url()
    env = production_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(server_command(args.workers, args.port), cwd=ROOT, env=env)
    try:
        wait_for_server(args.port)
        # Warm-up: a few requests per worker, not counted.
        client(args.port, [payload(n, "warm") for n in range(4 * args.workers)], [], [])
        results = []
        for _ in range(args.runs):
            speed = machine_speed()
            results.append((*one_run(args, secrets.token_hex(4)), speed))
    finally:
        server.terminate()
        server.wait(10)

    print(f"clients={args.clients} workers={args.workers} requests={args.requests} runs={args.runs}")
    for rate, latencies, errors, speed in results:
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            f"leads/s {rate:7.1f}   p50 {quantiles[49] * 1000:5.1f} ms   p95 {quantiles[94] * 1000:5.1f} ms"
            f"   p99 {quantiles[98] * 1000:5.1f} ms   errors {len(errors)} {sorted(set(errors))[:5]}"
            f"   (fixed loop before it: {speed:.2f} s CPU)"
        )
    median = statistics.median(rate for rate, *_ in results)
    print(f"median leads/s {median:.1f}")


if __name__ == "__main__":
    main()
