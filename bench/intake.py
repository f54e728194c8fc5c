"""Intake throughput: POST /api/v1/submissions/ over HTTP against gunicorn.

    .venv/bin/python bench/intake.py --clients 4 --requests 4000 --workers 4

Creates a separate database (leadsys_intake_bench) on the embedded server, or
uses BENCH_DATABASE_URL, migrates it, starts gunicorn with production settings
(DEBUG=false, rate limit off), drives it with N concurrent keep-alive clients,
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


def client(port: int, numbers: list[int], run: str, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n in numbers:
        body = payload(n, run)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url, _handle = bench_database_url()
    env = {
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
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "leadsys.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)
        run = secrets.token_hex(4)
        # Warm-up: one request per worker, not counted.
        client(args.port, list(range(-args.workers, 0)), run, [], [])
        latencies: list[float] = []
        errors: list[str] = []
        numbers = list(range(args.requests))
        threads = [
            threading.Thread(target=client, args=(args.port, numbers[i :: args.clients], run, latencies, errors))
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)

    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"clients={args.clients} workers={args.workers} requests={args.requests}")
    print(f"leads/s  {args.requests / elapsed:8.1f}")
    print(f"p50      {quantiles[49] * 1000:8.1f} ms")
    print(f"p95      {quantiles[94] * 1000:8.1f} ms")
    print(f"p99      {quantiles[98] * 1000:8.1f} ms")
    print(f"errors   {len(errors):8d} {sorted(set(errors))[:5]}")


if __name__ == "__main__":
    main()
