"""The board's counts in-process against a large database (`make bench-data`): for the establishment office, the
department with the most dispatches and the first township account, the status cards read from the counts table
(ADR 0013) against the same cards counted from the rows (ADR 0009's way), and the overdue count; best and median
of `--repeat` runs (ms, wall time of one thread — in-process, no HTTP), and a check that both give the same numbers.

    .venv/bin/python bench/whistles/board_counts.py --var-dir DIR [--database-url URL] [--repeat 7] [--json]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--var-dir", required=True)
    p.add_argument("--database-url")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    os.environ["TIAOKUAI_VAR_DIR"] = args.var_dir
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from tiaokuai.core.access import viewer_for
    from tiaokuai.whistles import selectors
    from tiaokuai.whistles.models import Dispatch

    accounts = json.loads((Path(args.var_dir) / "demo-accounts.json").read_text(encoding="utf-8"))
    busiest = (Dispatch.objects.values("organisation__code").annotate(n=Count("id")).order_by("-n")
               .values_list("organisation__code", flat=True).first())
    by_role: dict[str, list[dict]] = {}
    for a in accounts:
        by_role.setdefault(a["role"], []).append(a)
    dept = next((a for a in by_role.get("department", []) if a["organisation"] == busiest), by_role["department"][0])
    who = {"county (office)": by_role["establishment_office"][0], "department": dept,
           "township": by_role["township"][0]}

    def rows(viewer):
        qs = selectors.board(viewer).filter(status__in=selectors.BOARD_STATUSES).order_by()
        return dict.fromkeys(selectors.BOARD_STATUSES, 0) | dict(
            qs.values("status").annotate(n=Count("id")).values_list("status", "n"))

    def table(viewer):
        scope = selectors.count_scope(viewer)
        assert scope is not None, "this viewer's board is not served by the counts table"
        return selectors.status_counts(viewer)

    def timed(fn, viewer):
        times, value = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            value = fn(viewer)
            times.append((time.perf_counter() - t0) * 1000)
        return min(times), statistics.median(times), value

    results = []
    for label, account in who.items():
        viewer = viewer_for(get_user_model().objects.get(username=account["username"]))
        t_best, t_med, t_val = timed(table, viewer)
        r_best, r_med, r_val = timed(rows, viewer)
        o_best, o_med, o_val = timed(lambda v: selectors.overdue_count(v), viewer)
        results.append({"viewer": label, "username": account["username"], "scope": selectors.count_scope(viewer),
                        "table_ms": [round(t_best, 2), round(t_med, 2)], "rows_ms": [round(r_best, 1), round(r_med, 1)],
                        "overdue_ms": [round(o_best, 1), round(o_med, 1)], "same": t_val == r_val,
                        "counts": {str(k): v for k, v in t_val.items()}, "overdue": o_val})
    if args.json:
        print(json.dumps({"busiest": busiest, "results": results}, ensure_ascii=False))
        return
    print(f"department with the most dispatches: {busiest}; best / median of {args.repeat}, ms")
    for r in results:
        print(f"{r['viewer']:<16} {r['username']:<14} scope {r['scope']}: cards from the table {r['table_ms'][0]} / "
              f"{r['table_ms'][1]}, from the rows {r['rows_ms'][0]} / {r['rows_ms'][1]} (same: {r['same']}); "
              f"overdue {r['overdue_ms'][0]} / {r['overdue_ms'][1]} ({r['overdue']}); cards {r['counts']}")


if __name__ == "__main__":
    main()
