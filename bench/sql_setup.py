"""The bench database for bench/sql_functions.py: created, migrated, seeded, and
the plan's schema loaded beside ours, once per size; later runs reuse it.

One database per size (leadsys_bench_<N>) on the embedded server, so the
100k and 1M runs each keep their data; or BENCH_DATABASE_URL, which is never
dropped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PLAN_SQL = Path(__file__).resolve().parent / "plan_functions.sql"
PLAN_TABLES = ("leads", "lead_products", "lead_activity", "assignments")  # parents first


class BenchSetupError(RuntimeError):
    pass


def bench_database_url(leads: int, *, reseed: bool) -> tuple[str, bool, object]:
    """Return (url, may_drop, handle); the handle keeps the embedded server up."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"], False, None
    sys.path.insert(0, str(ROOT))
    from leadsys.db import embedded_database_settings

    db = embedded_database_settings()
    name = f"leadsys_bench_{leads}"
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user="postgres", dbname="postgres", autocommit=True) as conn:
        if reseed:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgres://postgres@{quote(db['HOST'], safe='')}:{db['PORT']}/{name}", True, db


def loaded_size(url: str) -> int | None:
    """The lead count the plan schema was loaded for, or None if never loaded."""
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('plan.bench_state')").fetchone()[0]:
            return None
        row = conn.execute("SELECT leads FROM plan.bench_state").fetchone()
        return row[0] if row else None


def public_lead_count(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass('public.leads')").fetchone()[0]:
            return 0
        return conn.execute("SELECT count(*) FROM leads").fetchone()[0]


def manage(url: str, *argv: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True)
    print(f"  manage.py {' '.join(argv)}: {time.perf_counter() - started:.1f} s", flush=True)


def plan_sections() -> dict[str, str]:
    """plan_functions.sql split at its `-- @section <name>` lines."""
    sections: dict[str, list[str]] = {}
    current = "preamble"
    for line in PLAN_SQL.read_text().splitlines():
        if line.startswith("-- @section "):
            current = line.removeprefix("-- @section ").strip()
            continue
        sections.setdefault(current, []).append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def load_plan_schema(url: str, *, leads: int, time_zone: str) -> None:
    """Create schema plan, copy our rows into the plan's tables, build its indexes."""
    sections = plan_sections()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET TIME ZONE {}").format(sql.Literal(time_zone)))
        conn.execute("DROP SCHEMA IF EXISTS plan CASCADE")
        conn.execute("CREATE SCHEMA plan")
        conn.execute("SET search_path = plan, public")
        conn.execute(sections["tables"])
        for table in PLAN_TABLES:
            started = time.perf_counter()
            columns = [
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = 'plan' AND table_name = %s ORDER BY ordinal_position",
                    [table],
                )
            ]
            column_list = sql.SQL(", ").join(map(sql.Identifier, columns))
            # timestamptz -> the plan's timestamp happens in the session's (business) zone.
            conn.execute(
                sql.SQL("INSERT INTO plan.{t} ({c}) SELECT {c} FROM public.{t}").format(
                    t=sql.Identifier(table), c=column_list
                )
            )
            print(f"  plan.{table}: copied in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        conn.execute(sections["indexes"])
        print(f"  plan indexes: {time.perf_counter() - started:.1f} s", flush=True)
        conn.execute(sections["functions"])
        conn.execute("CREATE TABLE plan.bench_state (leads bigint NOT NULL, loaded_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO plan.bench_state VALUES (%s, now())", [leads])


def vacuum_analyze(url: str) -> None:
    """Sets the visibility map after a bulk load (index-only scans), as autovacuum would."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE): {time.perf_counter() - started:.1f} s", flush=True)


def ensure_bench_data(leads: int, *, reseed: bool, time_zone: str, existing_data: bool) -> tuple[str, object]:
    url, may_drop, handle = bench_database_url(leads, reseed=reseed and not existing_data)
    if loaded_size(url) == leads and public_lead_count(url) > 0:
        print(f"reusing the bench database seeded with {leads} leads", flush=True)
        return url, handle
    if existing_data:
        load_plan_schema(url, leads=leads, time_zone=time_zone)
        vacuum_analyze(url)
        return url, handle
    if public_lead_count(url) and not may_drop:
        raise BenchSetupError("BENCH_DATABASE_URL holds other data; point it at an empty database.")
    if public_lead_count(url):
        # Seeded for another size, or a load was interrupted: start clean.
        url, _, handle = bench_database_url(leads, reseed=True)
    print(f"seeding a bench database with {leads} leads", flush=True)
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "seed_demo", "--leads", str(leads))
    load_plan_schema(url, leads=leads, time_zone=time_zone)
    vacuum_analyze(url)
    return url, handle
