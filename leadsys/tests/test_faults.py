"""Faults, with real processes: the database stopped under load, a worker killed mid-job, a cold worker,
chunked and short bodies on a raw socket, bin/start stopped by a signal.

Each test asserts what a user or an operator would check afterwards, with the
counts. The outage runs on a PostgreSQL of its own (EMBEDDED_PG_DIR in a temp
dir, started and stopped here), so the suite's database is never disturbed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest
from django.db import connection

from leads.intake.tests.support import API_URL, api_payload
from leads.models import Lead
from leadsys.testing.processes import (
    ROOT,
    database_url,
    free_port,
    queue_emptied,
    start_uwsgi,
    start_worker,
    stop,
    wait_for,
    worker_env,
)
from leadsys.tests.test_health import Throwaway

# serialized_rollback: this file's flush must not leave the content types a later serialized test restores.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _empty_queue(transactional_db: None) -> Iterator[None]:
    queue_emptied()  # a cold worker here must see only this test's jobs
    yield
    queue_emptied()  # and later tests, which read the queue, must not see them


EFFECTS = """
SELECT l.id::text,
       (SELECT count(*) FROM lead_activity a WHERE a.lead_id = l.id AND a.type = 'ai_result'),
       (SELECT count(*) FROM assignments s WHERE s.lead_id = l.id),
       (SELECT count(*) FROM lead_activity a WHERE a.lead_id = l.id AND a.type = 'email'
           AND a.status = 'completed' AND a.metadata->>'template' = 'acknowledgement')
  FROM leads l
"""
MAKE_REPS = "from assignments.tests.staff import make_rep; [make_rep(username=f'fault-rep{i}') for i in range(3)]"


def submission(index: int) -> bytes:
    payload = api_payload(email=f"fault.{index}@example.com", name=f"Fault Visitor {index}")
    payload.pop("product_interests")  # the outage's database has no catalogue
    return json.dumps(payload).encode()


def post(base_url: str, body: bytes) -> int | str:
    request = urllib.request.Request(
        f"{base_url}{API_URL}", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # a hang past the timeout, a reset connection
        return error.__class__.__name__


@pytest.fixture
def outage_database(tmp_path: Path) -> Iterator[tuple[Throwaway, str]]:
    database = Throwaway(tmp_path / "pg")
    database.start()
    try:
        database.execute("CREATE DATABASE health_probe", database="postgres")
        env = {**os.environ, "DATABASE_URL": database.url(), "DEBUG": "true"}
        for command in (["migrate", "-v0"], ["shell", "-c", MAKE_REPS]):
            done = subprocess.run([".venv/bin/python", "manage.py", *command], cwd=ROOT, env=env, capture_output=True)
            assert done.returncode == 0, done.stderr[-3000:]
        yield database, database.url()
    finally:
        if database.server is not None:
            database.stop()


def test_it_loses_no_lead_and_repeats_no_effect_when_postgresql_stops_for_8_seconds(
    outage_database: tuple[Throwaway, str], tmp_path: Path
) -> None:
    database, url = outage_database
    # DEBUG=true only so the pages find their static files without a collectstatic run.
    server, port = start_uwsgi(url, tmp_path / "uwsgi.log", DB_CONNECT_TIMEOUT="3", DEBUG="true")
    worker = start_worker(worker_env(url), tmp_path / "worker.log")
    base_url = f"http://127.0.0.1:{port}"
    answers: dict[int, int | str] = {}
    during_outage: dict[str, object] = {}
    enough = threading.Event()

    def stream() -> None:
        for index in range(600):
            if enough.is_set():
                return
            answers[index] = post(base_url, submission(index))
            time.sleep(0.05)

    sender = threading.Thread(target=stream)
    try:
        sender.start()
        wait_for(lambda: len(answers) >= 15, timeout=30, what="15 submissions before the outage")
        database.stop()
        stopped_at = time.monotonic()
        try:
            urllib.request.urlopen(f"{base_url}/form/", timeout=10)
        except urllib.error.HTTPError as error:
            during_outage.update(form=error.code, retry_after=error.headers["Retry-After"], page=error.read())
        request = urllib.request.Request(
            f"{base_url}{API_URL}", data=submission(9999), method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            during_outage.update(api=error.code, api_retry_after=error.headers["Retry-After"], api_body=error.read())
        time.sleep(max(0.0, 8 - (time.monotonic() - stopped_at)))
        database.start()
        after = len(answers)
        wait_for(lambda: len(answers) >= after + 15, timeout=30, what="15 submissions after the outage")
        enough.set()
        sender.join(timeout=30)
        assert not sender.is_alive()

        counts = Counter(answers.values())
        created = [i for i, status in answers.items() if status == 201]
        assert set(counts) <= {201, 503}, counts  # never a 500, never a hang or a reset
        assert counts[201] >= 30 and counts[503] >= 1, counts
        assert during_outage["form"] == 503 and during_outage["retry_after"] == "10"
        assert b"back in a moment" in during_outage["page"]  # type: ignore[operator]
        assert (during_outage["api"], during_outage["api_retry_after"]) == (503, "10")
        assert json.loads(during_outage["api_body"])["error"]["code"] == "unavailable"  # type: ignore[arg-type]

        def effects() -> dict[str, tuple[int, int, int]]:
            return {lead: tuple(rest) for lead, *rest in database.execute(EFFECTS)}  # type: ignore[misc]

        # No restart of the worker: it reconnects by itself and catches up.
        wait_for(lambda: all(e == (1, 1, 1) for e in effects().values()), timeout=90, what="every lead's effects")
        emails = {row[0] for row in database.execute("SELECT email FROM leads")}
        assert emails == {f"fault.{i}@example.com" for i in created}
        assert Counter(effects().values()) == {(1, 1, 1): len(created)}
        assert worker.poll() is None
        assert "restarting the worker" in (tmp_path / "worker.log").read_text()
    finally:
        enough.set()
        stop(worker)
        stop(server)


class SlowProvider:
    """An OpenAI-compatible server on 127.0.0.1: the first call hangs (the worker is killed meanwhile), later ones fail fast."""

    def __init__(self) -> None:
        self.calls = 0
        self.first_call = threading.Event()
        self.release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                provider.calls += 1
                if provider.calls == 1:
                    provider.first_call.set()
                    provider.release.wait(30)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_it_runs_a_triage_killed_mid_flight_again_and_each_effect_happens_once(tmp_path: Path) -> None:
    from assignments.tests.staff import make_rep
    from leads.intake.services import Submission, consent_now, lead_submit

    make_rep(username="fault-rep")
    provider = SlowProvider()
    env = worker_env(
        database_url(connection.settings_dict),
        TRIAGE_PROVIDER="openai",
        OPENAI_BASE_URL=provider.url,
        OPENAI_API_KEY="test",
        OPENAI_MAX_RETRIES="0",
    )
    lead_id = lead_submit(
        submission=Submission(
            name="Killed Midway", email="killed@example.com", consent=consent_now(marketing_opt_in=False)
        )
    ).lead_id
    log = tmp_path / "worker.log"
    first = start_worker(env, log)
    second = None
    try:
        assert provider.first_call.wait(60), log.read_text()[-3000:]
        first.kill()  # kill -9 while the triage job waits on the provider
        first.wait(10)
        time.sleep(5)  # its heartbeat goes stale (WORKER_STALLED_SECONDS=4): its job is put back at the next start
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM procrastinate_jobs WHERE task_name = 'activity.triage_lead'")
            assert cursor.fetchall() == [("doing",)]
        second = start_worker(env, log)
        lead = Lead.objects.get(id=lead_id)
        wait_for(lambda: lead.activities.filter(type="ai_result").exists(), timeout=60, what="triage after restart")
        wait_for(
            lambda: lead.activities.filter(type="email", status="completed").exists(), timeout=30, what="the email"
        )
    finally:
        provider.close()
        for process in (first, second):
            if process is not None:
                stop(process)
    assert provider.calls == 2  # asked once by the killed worker, once by the one that finished the job
    ai_result = lead.activities.get(type="ai_result")
    assert ai_result.metadata["provider"] == "rules" and ai_result.metadata["fallback_reason"]
    assert lead.assignments.count() == 1
    assert lead.activities.filter(type="assignment").count() == 1
    assert lead.activities.filter(type="email", status="completed", metadata__template="acknowledgement").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, attempts FROM procrastinate_jobs WHERE task_name = 'activity.triage_lead'")
        # Two runs counted: the killed one (put back once by the stalled-job recovery) and the one that finished.
        assert cursor.fetchall() == [("succeeded", 2)]


def test_it_delivers_webhooks_from_a_cold_worker_with_only_delivery_jobs_queued(tmp_path: Path) -> None:
    from django.db import transaction

    from leads.tests.factories import LeadFactory
    from leads.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from leads.webhooks.services import webhook_emit
    from leads.webhooks.signing import new_secret
    from leads.webhooks.tests.receiver import WebhookReceiver

    leads = LeadFactory.create_batch(3)
    with WebhookReceiver(200) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=new_secret(), events=["lead.status_changed"])
        with transaction.atomic():
            for lead in leads:
                webhook_emit("lead.status_changed", {"lead_id": str(lead.id), "from": "new", "to": "contacted"})
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT task_name FROM procrastinate_jobs WHERE status = 'todo'")
            assert cursor.fetchall() == [("leads.webhooks.tasks.deliver_webhook",)]
        worker = start_worker(worker_env(database_url(connection.settings_dict)), tmp_path / "worker.log")
        try:
            wait_for(lambda: len(receiver.received) >= 3, timeout=60, what="three deliveries")
            time.sleep(1)  # a duplicate would arrive now
        finally:
            stop(worker)
        received = sorted(r.json()["data"]["lead_id"] for r in receiver.received)
    assert received == sorted(str(lead.id) for lead in leads)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 3
    assert "TaskNotFound" not in (tmp_path / "worker.log").read_text()


def raw_exchange(port: int, data: bytes, *, wait: float = 6.0) -> tuple[list[int], float]:
    """Send bytes as they are; return the status of every response read until the server closes, and the time."""
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    statuses = [int(line.split()[1]) for line in received.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
    return statuses, time.monotonic() - started


def test_it_answers_chunked_and_short_bodies_cleanly_without_a_smuggled_second_answer(tmp_path: Path) -> None:
    server, port = start_uwsgi(database_url(connection.settings_dict), tmp_path / "uwsgi.log")
    body = submission(1)
    head = f"POST {API_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".encode()
    smuggled = b"POST /api/v1/submissions/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
    try:
        chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        chunked, _ = raw_exchange(port, head + b"Transfer-Encoding: chunked\r\n\r\n" + chunk + smuggled)
        both = head + f"Content-Length: {len(chunk)}\r\n".encode() + b"Transfer-Encoding: chunked\r\n\r\n"
        conflicting, _ = raw_exchange(port, both + chunk + smuggled)
        short, short_seconds = raw_exchange(port, head + f"Content-Length: {len(body) + 300}\r\n\r\n".encode() + body)
    finally:
        stop(server)
    assert chunked == [411]  # and nothing answered the request hidden in its body
    assert conflicting == [411]
    assert short == [400] and short_seconds < 3.5
    assert Lead.objects.count() == 0  # none of them was stored, the smuggled ones included


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# SIGTERM here; SIGINT and SIGHUP take the same trap in bin/start (README, "Two commands").
@pytest.mark.parametrize("signum", [signal.SIGTERM])
def test_it_leaves_no_process_of_bin_start_after_a_signal(tmp_path: Path, signum: int) -> None:
    port = free_port()
    env = {**os.environ, "EMBEDDED_PG_DIR": str(tmp_path / "pg"), "PORT": str(port), "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    log = tmp_path / "start.log"
    with log.open("wb") as out:
        start = subprocess.Popen(["bin/start"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def healthy() -> bool:
        assert start.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(healthy, timeout=120, what="bin/start serving a healthy site", interval=0.5)
        tree = [start, *psutil.Process(start.pid).children(recursive=True)]
        postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
        processes = {p.pid for p in tree} | {postmaster}
        assert len(processes) >= 5  # bin/start, the worker, runserver and its child, PostgreSQL
        start.send_signal(signum)
        assert start.wait(40) == 128 + signum
        wait_for(lambda: not any(alive(pid) for pid in processes), timeout=20, what="every process gone")
    finally:
        if start.poll() is None:
            start.kill()
    assert not (tmp_path / "pg" / "postmaster.pid").exists()
    assert json.loads((tmp_path / "pg" / ".handle_pids.json").read_text() or "[]") == []
