"""`python manage.py run_worker`: procrastinate's worker, restarted with backoff when the database goes away."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from leadsys.worker import Supervisor


class Command(BaseCommand):
    help = (
        "Run the job worker; it reconnects with backoff when the database is lost and stops on SIGINT/SIGTERM/SIGHUP."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-q", "--queue", action="append", dest="queues", help="a queue to work (repeatable; default all)"
        )
        parser.add_argument(
            "-c", "--concurrency", type=int, default=None, help="jobs run at once (default WORKER_CONCURRENCY)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        persistent_connections()
        concurrency = options["concurrency"] or settings.WORKER_CONCURRENCY
        asyncio.run(Supervisor(queues=options["queues"], concurrency=concurrency).run())


def persistent_connections() -> None:
    """Each worker thread keeps its connection across jobs (WORKER_DB_CONN_MAX_AGE), checked before reuse.

    procrastinate closes a job's Django connection after it unless CONN_MAX_AGE allows it to live;
    the health check finds one the database dropped (a restart) and opens a new one instead.
    """
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = settings.WORKER_DB_CONN_MAX_AGE
        connections.settings[alias]["CONN_HEALTH_CHECKS"] = True
