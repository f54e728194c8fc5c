"""A real HTTP server on 127.0.0.1 standing in for an integration's webhook receiver.

Each POST takes the next scripted status (the last one repeats; `answer()` scripts
anew) and is recorded with its headers, raw body, status and time, so tests verify
signatures the way a receiver would. A 3xx carries `location`; a GET is recorded
too, so a test sees a redirect that was followed.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: bytes
    method: str = "POST"
    status: int = 200
    at: float = 0.0  # time.time() just before the answer was sent

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, *statuses: int, location: str = "") -> None:
        self.statuses = list(statuses) or [200]
        self.location = location
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/leadsys"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, *statuses: int) -> None:
        with self._lock:
            self.statuses = list(statuses)

    def delivered(self) -> list[Received]:
        """The POSTs answered 2xx: what the receiver accepted."""
        with self._lock:
            return [r for r in self.received if r.method == "POST" and 200 <= r.status < 300]

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._next_status()
                with receiver._lock:  # recorded before the answer: once the sender has it, so does the test
                    received = Received(self.path, self._headers(), body, "POST", status, time.time())
                    receiver.received.append(received)
                self.send_response(status)
                if 300 <= status < 400 and receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver is down")

            def do_GET(self) -> None:  # noqa: N802
                with receiver._lock:
                    receiver.received.append(Received(self.path, self._headers(), b"", "GET", 404))
                self.send_response(404)
                self.end_headers()

            def _headers(self) -> dict[str, str]:
                return {name.lower(): value for name, value in self.headers.items()}

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
