"""`tiaokuai reconcile_whistle_counts [--json]`: recount the board's counts table from the whistles and dispatches
(services.counts.recount), replace it when it drifted, and print the drift (exit status 0 either way)."""

import json

from django.core.management.base import BaseCommand

from tiaokuai.whistles.services.counts import recount


class Command(BaseCommand):
    help = "Recount the whistle board's counts from the rows; print every scope that had drifted."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the drift as JSON.")

    def handle(self, *args, **options):
        drift = recount()
        rows = [{"scope": k, "id": i, "status": s, "kept": kept, "counted": counted}
                for (k, i, s), (kept, counted) in sorted(drift.items())]
        if options.get("json"):
            self.stdout.write(json.dumps({"drift": rows}))
            return
        if not rows:
            self.stdout.write("no drift")
        for r in rows:
            if (r["scope"], r["status"]) == ("whistle", "overdue_from"):
                self.stdout.write(f"{r['kept']} whistles' earliest deadline differed from their dispatches; set again")
                continue
            self.stdout.write(f"{r['scope']}:{r['id']} {r['status']} kept={r['kept']} counted={r['counted']}")
        if rows:
            self.stdout.write(f"{len(rows)} counts drifted; recounted")
