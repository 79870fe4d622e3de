"""`tiaokuai sweep [--now ISO-8601] [--json]`: run every registered sweep once and print the counts."""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tiaokuai.core import sweeps


def parse_now(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now must be an ISO-8601 date-time, got {value!r}") from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)  # read in the platform's zone (Asia/Shanghai)
    return parsed


class Command(BaseCommand):
    help = "Run every registered sweep (deadlines, retries …) once and print what each one did."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this time (ISO-8601; no zone = Asia/Shanghai).")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, now=None, json=False, **options):
        at = parse_now(now)
        result = sweeps.run_all(at)
        if json:
            self.stdout.write(_json_dumps({"now": at.isoformat(), "sweeps": result}))
        else:
            if not result:
                self.stdout.write("no sweeps registered")
            for name, counts in result.items():
                text = " ".join(f"{k}={v}" for k, v in counts.items()) or "-"
                self.stdout.write(f"{name}: {text}")
        if any("error" in counts for counts in result.values()):
            raise CommandError("some sweeps failed; see the log")


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
