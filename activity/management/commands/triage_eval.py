"""Run the configured triage provider over labelled leads; report agreement with people.

python manage.py triage_eval activity/triage/data/labelled_leads.jsonl
python manage.py triage_eval --from-db
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from activity.corrections import CORRECTABLE, ai_agreement
from activity.triage import triage
from activity.triage.eval import LabelError, evaluate, format_report, load_labelled


class Command(BaseCommand):
    help = "Accuracy per field and confusion tables of the triage provider on labelled leads (JSON Lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="labelled leads, one JSON object a line")
        parser.add_argument("--from-db", action="store_true", help="how often people agreed with stored AI results")
        parser.add_argument("--no-misses", action="store_true", help="leave out the list of wrong answers")

    def handle(self, *args: Any, files: list[Path], from_db: bool, no_misses: bool, **options: Any) -> None:
        if not files and not from_db:
            raise CommandError("Give a labelled .jsonl file, or --from-db.")
        for path in files:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            try:
                cases = load_labelled(path)
            except LabelError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"== {path} (provider: {settings.TRIAGE_PROVIDER})")
            self.stdout.write(format_report(evaluate(cases, triage), show_misses=not no_misses))
        if from_db:
            self._report_agreement()

    def _report_agreement(self) -> None:
        agreement = ai_agreement()
        self.stdout.write(f"== Agreement with people (database): {agreement.ai_results} AI results")
        if not agreement.ai_results:
            self.stdout.write("  No AI results yet.")
            return
        for name in CORRECTABLE:
            rate = agreement.rate(name)
            corrected = agreement.corrected[name]
            self.stdout.write(f"  {name:<9} agreed {rate:6.1%}  (corrected on {corrected} of {agreement.ai_results})")
            for (ai, person), count in sorted(agreement.changes[name].items(), key=lambda item: -item[1]):
                self.stdout.write(f"      AI {ai} -> person {person}: {count}")
