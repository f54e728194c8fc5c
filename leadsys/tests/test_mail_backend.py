"""The development email backend prints one line per email and keeps the whole message in a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage, get_connection


def test_it_prints_one_line_per_email_and_files_the_full_text(tmp_path: Path, capsys: Any) -> None:
    connection = get_connection("leadsys.mail.SummaryConsoleBackend", file_path=str(tmp_path))
    body = "\n".join(f"line {i}" for i in range(200))
    messages = [
        EmailMessage("SLA missed: Priyā Sharma", body, "from@example.com", ["boss@example.com"]),
        EmailMessage("Follow-up due", "short", "from@example.com", ["asha@example.com"]),
    ]

    assert connection.send_messages(messages) == 2

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("email to boss@example.com: SLA missed: Priyā Sharma (full text in ")
    assert lines[1].startswith("email to asha@example.com: Follow-up due")
    (saved,) = tmp_path.iterdir()
    text = saved.read_text()
    assert "line 199" in text and "Follow-up due" in text


def test_django_log_lines_go_through_the_root_handler_only() -> None:
    import logging

    # Its own handler and the root's would print each line twice.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate and logging.getLogger().handlers
