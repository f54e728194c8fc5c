"""The development email backend: one line per email on the terminal, the full message kept in a file.

Django's console backend prints every message whole (thousands of lines at
start-up); a developer needs to see that an email went, to whom and about
what, and to open the message when they care (EMAIL_FILE_PATH, one file per
connection, as Django's file backend writes them).
"""

from __future__ import annotations

import sys
from email.header import decode_header, make_header

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.message import EmailMessage


class SummaryConsoleBackend(FileBackend):
    def write_message(self, message: EmailMessage) -> None:
        super().write_message(message)
        subject = str(make_header(decode_header(message.subject or "")))
        sys.stdout.write(f"email to {', '.join(message.recipients())}: {subject} (full text in {self._fname})\n")
        sys.stdout.flush()
