"""GET /health/: status for anyone, figures for staff or the health token; 503 "degraded" when
the database is down, no worker is alive or the queue lags.

The outage test runs the real thing: a throwaway PostgreSQL (pgserver, in a
temp dir) migrated from scratch, `manage.py runserver` pointed at it over
DATABASE_URL, real HTTP requests, and the database server stopped and started
again underneath it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from activity.tests.factories import ApprovalFactory
from assignments.models import Assignment
from assignments.tasks import triage_lead
from assignments.tests.factories import AssignmentFactory
from assignments.tests.staff import make_rep
from leads.models import Lead
from leads.tests.factories import LeadFactory

STATS_KEYS = {
    "total_leads",
    "new_leads_today",
    "pending_follow_ups",
    "pending_approvals",
    "sla_violations",
    "sla_breaches_30d",
    "avg_response_time_minutes",
    "conversion_rate",
}
SERVICES = {"api", "database", "worker", "queue"}
PROBE_DATABASE = "health_probe"
TOKEN = "health-token-for-the-monitor"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
# A worker's heartbeat, as procrastinate's worker writes it every few seconds.
HEARTBEAT = "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - make_interval(secs => %s))"


def heartbeat(seconds_ago: float = 0) -> None:
    with connection.cursor() as cursor:
        cursor.execute(HEARTBEAT, [seconds_ago])


def queue_job(*, due_seconds_ago: float) -> None:
    schedule_at = timezone.now() - timedelta(seconds=due_seconds_ago)
    triage_lead.configure(schedule_at=schedule_at).defer(lead_id=str(uuid4()))  # waits; nobody runs it here


@pytest.fixture
def token(settings: Any) -> None:
    settings.HEALTH_TOKEN = TOKEN


@pytest.mark.django_db
def test_it_reports_healthy_with_the_dashboard_figures(client: Client, token: None) -> None:
    LeadFactory.create_batch(3)
    ApprovalFactory.create_batch(2)
    AssignmentFactory(completed=True)
    heartbeat()
    response = client.get("/health/", **BEARER)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["failing"] == []
    assert body["services"] == dict.fromkeys(SERVICES, "operational")
    assert body["queue"] == {"workers_alive": 1, "last_heartbeat_seconds_ago": 0.0, "due_jobs": 0, "lag_seconds": 0.0}
    assert set(body["database_stats"]) == STATS_KEYS
    assert body["database_stats"]["total_leads"] == Lead.objects.count()
    assert body["database_stats"]["pending_approvals"] == 2
    assert body["database_stats"]["avg_response_time_minutes"] == Assignment.objects.get().response_time_minutes


@pytest.mark.django_db
def test_it_tells_strangers_the_status_and_nothing_else(client: Client, token: None) -> None:
    LeadFactory.create_batch(2)
    heartbeat()
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": f"Token {TOKEN}"}):
        response = client.get("/health/", **headers)
        assert response.status_code == 200
        assert response.json() == {"status": "healthy", "failing": []}


@pytest.mark.django_db
def test_it_shows_the_figures_to_logged_in_staff_only(client: Client) -> None:
    heartbeat()
    client.force_login(User.objects.create_user("visitor", password="x" * 12))
    assert "database_stats" not in client.get("/health/").json()
    client.force_login(make_rep(username="rep-health"))
    body = client.get("/health/").json()
    assert body["database_stats"]["total_leads"] == 0
    assert body["queue"]["workers_alive"] == 1


@pytest.mark.django_db
def test_it_is_degraded_when_no_worker_has_been_alive_for_a_minute(client: Client, token: None) -> None:
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (503, {"status": "degraded", "failing": ["worker"]})
    heartbeat(seconds_ago=61)
    body = client.get("/health/", **BEARER).json()
    assert body["failing"] == ["worker"]
    assert body["queue"]["workers_alive"] == 0
    assert body["queue"]["last_heartbeat_seconds_ago"] >= 61
    heartbeat(seconds_ago=5)
    assert client.get("/health/").status_code == 200


@pytest.mark.django_db
def test_it_is_degraded_when_the_oldest_due_job_waits_past_the_lag_limit(
    client: Client, token: None, settings: Any
) -> None:
    settings.QUEUE_LAG_DEGRADED_SECONDS = 300
    heartbeat()
    queue_job(due_seconds_ago=-3600)  # scheduled for later: not due, no lag
    queue_job(due_seconds_ago=200)
    body = client.get("/health/", **BEARER).json()
    assert (body["status"], body["queue"]["due_jobs"]) == ("healthy", 1)
    assert 199 < body["queue"]["lag_seconds"] < 260
    queue_job(due_seconds_ago=400)
    response = client.get("/health/", **BEARER)
    assert response.status_code == 503
    assert response.json()["failing"] == ["queue"]
    assert response.json()["queue"]["due_jobs"] == 2
    assert client.get("/health/").json() == {"status": "degraded", "failing": ["queue"]}


@pytest.mark.django_db
def test_it_accepts_only_get(client: Client) -> None:
    response = client.post("/health/")
    assert response.status_code == 405
    assert not Lead.objects.exists()


# --- A real outage --------------------------------------------------------------


@dataclass
class Throwaway:
    """A second PostgreSQL server of our own, which the test may stop."""

    data_dir: Path
    socket_dir: str = ""
    port: int = 5432
    server: Any = None

    def start(self) -> None:
        import pgserver

        self.server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        info = self.server.get_postmaster_info()
        self.socket_dir, self.port = str(info.socket_dir), int(info.port or 5432)

    def stop(self) -> None:
        self.server.cleanup()  # pg_ctl stop: we hold the only handle

    def url(self) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}:{self.port}/{PROBE_DATABASE}"

    def execute(self, sql: str, *, database: str = PROBE_DATABASE) -> list[tuple[Any, ...]]:
        with psycopg.connect(
            host=self.socket_dir, port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_health(base_url: str, *, token: bool = True) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
    try:
        request = urllib.request.Request(f"{base_url}/health/", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_serving(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"runserver exited: {log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{base_url}/form/", timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it is serving
        except OSError:
            time.sleep(0.2)
    raise AssertionError("runserver did not start within 60 s")


@pytest.fixture
def outage_site(tmp_path: Path) -> Iterator[tuple[Throwaway, str]]:
    database = Throwaway(tmp_path / "pg")
    database.start()
    process = None
    try:
        database.execute(f"CREATE DATABASE {PROBE_DATABASE}", database="postgres")
        env = {
            **os.environ,
            "DATABASE_URL": database.url(),
            "DEBUG": "true",
            "DB_CONN_MAX_AGE": "60",
            "HEALTH_TOKEN": TOKEN,
        }
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        migrate = subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, capture_output=True, text=True)
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        port = free_port()
        log = tmp_path / "runserver.log"
        with log.open("wb") as out:  # a file, not a pipe nobody reads, which could fill and block it
            process = subprocess.Popen(
                [sys.executable, manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        wait_until_serving(base_url, process, log)
        yield database, base_url
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        if database.server is not None:
            database.stop()


def test_it_turns_degraded_with_503_while_the_database_is_down_and_recovers(
    outage_site: tuple[Throwaway, str],
) -> None:
    database, base_url = outage_site
    database.execute(
        "INSERT INTO leads (name, email) VALUES ('Asha', 'asha@example.com'), ('Ravi', 'ravi@example.com')"
    )
    database.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")
    (count,) = database.execute("SELECT count(*) FROM leads")[0]

    status, body = get_health(base_url)
    assert status == 200
    assert body["status"] == "healthy"
    assert body["services"] == dict.fromkeys(SERVICES, "operational")
    assert body["database_stats"]["total_leads"] == count == 2

    database.stop()
    status, body = get_health(base_url)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["failing"] == ["database", "queue", "worker"]
    assert body["database_stats"] is None
    assert body["services"]["api"] == "operational"
    assert body["services"]["database"].startswith("error")
    assert body["services"]["queue"] == "unknown"
    assert get_health(base_url, token=False) == (
        503,
        {"status": "degraded", "failing": ["database", "queue", "worker"]},
    )

    database.start()
    database.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")
    status, body = get_health(base_url)
    assert status == 200, body
    assert body["status"] == "healthy"
    assert body["database_stats"]["total_leads"] == count
