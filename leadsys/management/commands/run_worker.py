"""`python manage.py run_worker`: procrastinate's worker, restarted with backoff when the database goes away."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from django.core.management.base import BaseCommand

from leadsys.worker import Supervisor


class Command(BaseCommand):
    help = (
        "Run the job worker; it reconnects with backoff when the database is lost and stops on SIGINT/SIGTERM/SIGHUP."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-q", "--queue", action="append", dest="queues", help="a queue to work (repeatable; default all)"
        )
        parser.add_argument("-c", "--concurrency", type=int, default=1, help="jobs run at once (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        asyncio.run(Supervisor(queues=options["queues"], concurrency=options["concurrency"]).run())
