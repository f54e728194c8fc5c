"""Load demo data: staff accounts, the plan's sample lead, and generated leads.

    python manage.py seed_demo                  # 500 generated leads
    python manage.py seed_demo --leads 1000000  # COPY in chunks; minutes, not hours
    python manage.py seed_demo --leads 0        # staff and Priya Sharma only

Running it again writes only what is missing.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentTypeError
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from activity.models import LeadActivity
from assignments.models import Assignment
from leads.demo import data as demo_data
from leads.demo import seed as demo_seed
from leads.models import Lead, LeadProduct
from leadsys.exceptions import DomainError

DEFAULT_LEADS = 500


def _non_negative(value: str | int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise ArgumentTypeError(f"must not be negative, got {number}")
    return number


def _positive(value: str | int) -> int:
    number = _non_negative(value)
    if number == 0:
        raise ArgumentTypeError("must be at least 1")
    return number


def _checked(options: dict[str, Any], name: str, check: Any) -> int:
    try:
        return check(options[name])
    except ArgumentTypeError as exc:
        raise CommandError(f"--{name.replace('_', '-')}: {exc}") from exc


class Command(BaseCommand):
    help = "Create demo staff accounts, the sample lead Priya Sharma and generated leads (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--leads", type=_non_negative, default=DEFAULT_LEADS, help=f"generated leads (default {DEFAULT_LEADS})"
        )
        parser.add_argument(
            "--workers",
            type=_non_negative,
            default=None,
            help="processes generating rows while this one loads them; 0 = none "
            "(default: CPUs - 1 for more than one chunk, else 0)",
        )
        parser.add_argument("--chunk-size", type=_positive, default=demo_data.CHUNK_SIZE, help="leads per COPY chunk")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="run even with DEBUG=false (it creates accounts with a known password)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with the password "
                f"{demo_seed.DEMO_PASSWORD!r}; it runs only with DEBUG=true (or pass --allow-production)."
            )
        # Checked again: call_command() passes keyword options without argparse's checks.
        count = _checked(options, "leads", _non_negative)
        chunk_size = _checked(options, "chunk_size", _positive)
        workers = None if options["workers"] is None else _checked(options, "workers", _non_negative)
        if workers is None:
            workers = max(1, (os.cpu_count() or 1) - 1) if count > chunk_size else 0
        self.verbosity = options["verbosity"]
        started, now = time.monotonic(), timezone.now()

        created_staff = demo_seed.demo_staff_ensure()
        owner = User.objects.get(username=demo_seed.DEMO_REPS[0].username)
        sample_created = demo_seed.sample_lead_ensure(owner=owner, now=now)
        try:
            result = demo_seed.generated_leads_ensure(
                count=count, now=now, workers=workers, chunk_size=chunk_size, progress=self._progress(started)
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._summary(created_staff, sample_created, result, time.monotonic() - started)

    def _progress(self, started: float) -> Any:
        def report(result: demo_seed.LoadResult, _chunk: int) -> None:
            if self.verbosity >= 1 and result.requested > 10_000:
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"  {result.created:,} leads written ({result.total_rows:,} rows, "
                    f"{result.total_rows / elapsed:,.0f} rows/s)"
                )

        return report

    def _summary(
        self, created_staff: list[str], sample_created: bool, result: demo_seed.LoadResult, seconds: float
    ) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
        out.write(
            f"  Generated leads: {result.created:,} written now "
            f"({result.requested - result.created:,} of the {result.requested:,} requested were already there)."
        )
        if result.created:
            rows = ", ".join(f"{n:,} {table}" for table, n in result.rows.items())
            out.write(f"  Rows written: {rows} ({result.total_rows / max(seconds, 1e-6):,.0f} rows/s).")
        out.write(
            f"  Sample lead Priya Sharma ({demo_seed.SAMPLE_LEAD_ID}): "
            + ("created." if sample_created else "already there.")
        )
        totals = {
            "leads": Lead.objects.count(),
            "products": LeadProduct.objects.count(),
            "events": LeadActivity.objects.count(),
            "assignments": Assignment.objects.count(),
        }
        out.write("  In the database: " + ", ".join(f"{n:,} {name}" for name, n in totals.items()) + ".")
        by_status = dict(Lead.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
        out.write("  Leads by status: " + ", ".join(f"{s} {n:,}" for s, n in by_status.items()) + ".")
        out.write(f"  Staff accounts created now: {', '.join(created_staff) or 'none (all existed)'}.")
        out.write(
            f"  Log in at /console/ as manager or rep1..rep4 (and /admin/ as admin), password "
            f"{demo_seed.DEMO_PASSWORD!r} (accounts that already existed keep their password)."
        )
