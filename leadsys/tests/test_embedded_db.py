"""The embedded PostgreSQL: two processes starting at once share one server;
with DATABASE_URL set, nothing is started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Starts (or attaches to) the server in the given directory, then reports
# which postmaster answered: its pid file and start time identify it. Each
# process then waits for the others to have attached before it exits, so on a
# busy machine the first cannot stop the server before the second arrives
# (which would make two servers one after the other, not a race).
ATTACH = """
import json, os, sys, time
from pathlib import Path
import psycopg
from leadsys.db import embedded_database_settings
data_dir, count = Path(sys.argv[1]), int(sys.argv[2])
db = embedded_database_settings(data_dir)
with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as conn:
    started = conn.execute("SELECT pg_postmaster_start_time()::text").fetchone()[0]
    conn.execute(f"CREATE TABLE attach_probe_{os.getpid()} (n int)")  # one table per process: no race of our own
    conn.commit()
arrived = data_dir.parent / "arrived"
arrived.mkdir(exist_ok=True)
(arrived / str(os.getpid())).touch()
deadline = time.monotonic() + 60
while len(list(arrived.iterdir())) < count and time.monotonic() < deadline:
    time.sleep(0.05)
print(json.dumps({"host": db["HOST"], "started": started}))
"""


def _attach_at_once(data_dir: Path, count: int) -> list[dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ATTACH, str(data_dir), str(count)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


def test_two_processes_starting_at_once_share_one_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "pg"
    first, second = _attach_at_once(data_dir, 2)
    assert first == second  # same socket, same postmaster start time: one server
    assert (data_dir / "PG_VERSION").exists()

    # The last user stopped it; starting again finds the data written by both.
    (again,) = _attach_at_once(data_dir, 1)
    assert again["host"] == first["host"]
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; import psycopg; from leadsys.db import embedded_database_settings;"
            "d = embedded_database_settings(Path(sys.argv[1]));"
            "c = psycopg.connect(host=d['HOST'], port=d['PORT'], user=d['USER'], dbname=d['NAME']);"
            "print(c.execute(\"SELECT count(*) FROM pg_tables WHERE tablename LIKE 'attach_probe_%'\").fetchone()[0])",
            str(data_dir),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert count.stdout.strip() == "3"


@pytest.mark.django_db
def test_with_database_url_set_nothing_is_started(tmp_path: Path) -> None:
    settings_db = connection.settings_dict
    url = f"postgresql://{settings_db['USER']}@/{settings_db['NAME']}?host={settings_db['HOST']}&port={settings_db['PORT']}"
    unused_dir = tmp_path / "never-started"
    env = {**os.environ, "DATABASE_URL": url, "EMBEDDED_PG_DIR": str(unused_dir), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'leadsys.settings'; django.setup();"
            "from django.db import connection; connection.ensure_connection();"
            "print(connection.cursor().connection.execute('SELECT current_database()').fetchone()[0])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == settings_db["NAME"]
    assert not unused_dir.exists()
