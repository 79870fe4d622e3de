"""Benchmark (b): the escalation sweep over 1,000,000 open dispatches (fresh SQLite database).

1. migrate a fresh SQLite DB, make the small test county and a whistle list, raise one whistle through
   the service (a template row), bulk-insert N whistles and 1,000,000 open dispatches (raw executemany in
   chunks, next checks spread over the coming weeks: nothing due);
2. time `sweeps.run_one("whistles.escalate", now)` and `sweeps.run_all(now)` with nothing due (median of
   several ticks);
3. make 10,000 dispatches newly due (respond deadline passed) and time the tick that escalates them, then
   the tick after (nothing due again).

    .venv/bin/python bench/whistles/sweep.py [--dispatches 1000000] [--due 10000] [--ticks 9]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["TIAOKUAI_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
    os.environ.setdefault("TIAOKUAI_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dispatches", type=int, default=1_000_000)
    p.add_argument("--per-whistle", type=int, default=2)
    p.add_argument("--due", type=int, default=10_000)
    p.add_argument("--ticks", type=int, default=9)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    var_dir = tempfile.mkdtemp(prefix="tk-bench-sweep-")
    setup_django(var_dir)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from tests.factories import make_county
    from tests.whistles.test_views import make_whistle_list

    from tiaokuai.core import sweeps
    from tiaokuai.whistles import services
    from tiaokuai.whistles.models import Dispatch, Escalation, Whistle

    tz = dt.timezone(dt.timedelta(hours=8))
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=tz)  # a Monday morning, working time
    timezone_now = timezone.now
    timezone.now = lambda: now  # the services stamp "now"; keep the run deterministic
    c = make_county()
    make_whistle_list(c)
    template = services.whistle_raise(
        actor=c.users["township"], item_code="CS-ZR-001", village_code=c.villages[0].code, description="模板"
    )
    timezone.now = timezone_now
    t_insert = time.perf_counter()
    n_whistles = max(1, args.dispatches // args.per_whistle)
    w_fields = [f for f in Whistle._meta.concrete_fields if f.column != "id"]
    base = {f.column: getattr(template, f.attname) for f in w_fields}

    def adapt(field, value):
        return field.get_db_prep_value(value, connection)

    cols = ", ".join(f'"{f.column}"' for f in w_fields)
    marks = ", ".join(["%s"] * len(w_fields))
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, n_whistles, 50_000):
            rows = []
            for i in range(start, min(n_whistles, start + 50_000)):
                rows.append(
                    [adapt(f, f"B-{i:07d}" if f.column == "number" else base[f.column]) for f in w_fields]
                )
            cur.executemany(f'INSERT INTO "{Whistle._meta.db_table}" ({cols}) VALUES ({marks})', rows)
    first_id = Whistle.objects.filter(number="B-0000000").values_list("id", flat=True).get()
    d_template = Dispatch.objects.filter(whistle=template, role="lead").get()
    d_fields = [f for f in Dispatch._meta.concrete_fields if f.column != "id"]
    dbase = {f.column: getattr(d_template, f.attname) for f in d_fields}
    future = now + dt.timedelta(days=30)
    dcols = ", ".join(f'"{f.column}"' for f in d_fields)
    dmarks = ", ".join(["%s"] * len(d_fields))
    prepared = {f.column: adapt(f, dbase[f.column]) for f in d_fields}
    spread = [
        adapt(Dispatch._meta.get_field("next_check_at"), now + dt.timedelta(minutes=10 + k))
        for k in range(0, 43_200, 7)
    ]
    far = adapt(Dispatch._meta.get_field("respond_by"), future)
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, args.dispatches, 100_000):
            rows = []
            for i in range(start, min(args.dispatches, start + 100_000)):
                row = dict(prepared)
                row["whistle_id"] = first_id + i // args.per_whistle
                row["status"] = "dispatched"
                row["next_check_at"] = spread[i % len(spread)]
                row["respond_by"] = row["arrive_by"] = row["resolve_by"] = far
                rows.append([row[f.column] for f in d_fields])
            cur.executemany(f'INSERT INTO "{Dispatch._meta.db_table}" ({dcols}) VALUES ({dmarks})', rows)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    insert_s = time.perf_counter() - t_insert
    open_count = Dispatch.objects.filter(status="dispatched").count()

    idle = [timed(sweeps.run_one, "whistles.escalate", now) for _ in range(args.ticks)]
    idle_all = [timed(sweeps.run_all, now) for _ in range(args.ticks)]

    # 10,000 newly due: their respond deadline passed a minute ago.
    due_ids = list(
        Dispatch.objects.filter(whistle_id__gte=first_id)
        .order_by("id")
        .values_list("id", flat=True)[: args.due]
    )
    past = now - dt.timedelta(minutes=30)
    for i in range(0, len(due_ids), 900):
        Dispatch.objects.filter(pk__in=due_ids[i : i + 900]).update(respond_by=past, next_check_at=past)
    escalations_before = Escalation.objects.count()
    due_ms, due_result = timed(sweeps.run_one, "whistles.escalate", now)
    escalated = Escalation.objects.count() - escalations_before
    after = [timed(sweeps.run_one, "whistles.escalate", now)[0] for _ in range(args.ticks)]
    db_mib = round(os.path.getsize(Path(var_dir) / "tiaokuai.sqlite3") / 2**20)

    result = {
        "open_dispatches": open_count,
        "insert_seconds": round(insert_s, 1),
        "db_mib": db_mib,
        "idle_tick_ms_median": round(statistics.median(t for t, _ in idle), 2),
        "idle_tick_ms_all": [round(t, 2) for t, _ in idle],
        "idle_run_all_ms_median": round(statistics.median(t for t, _ in idle_all), 2),
        "due": len(due_ids),
        "due_tick_ms": round(due_ms, 1),
        "due_tick_result": due_result,
        "escalations_created": escalated,
        "tick_after_ms_median": round(statistics.median(after), 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"escalation sweep over {open_count:,} open dispatches (SQLite, {db_mib} MiB, inserted in "
            f"{result['insert_seconds']} s)"
        )
        print(
            f"  tick with nothing due: median {result['idle_tick_ms_median']} ms "
            f"(run_all: {result['idle_run_all_ms_median']} ms) over {args.ticks} ticks"
        )
        print(
            f"  tick with {len(due_ids):,} newly due: {result['due_tick_ms']} ms, "
            f"{escalated:,} escalations ({due_result})"
        )
        print(f"  next tick (nothing due again): median {result['tick_after_ms_median']} ms")
    import shutil

    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
