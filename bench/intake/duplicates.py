"""Benchmark: the likely-duplicate look-up (intake.selectors.likely_duplicates) with 1,000,000 requests stored.

A fresh SQLite database in a temporary directory; the test county; one request made through the service as a
template; then N requests inserted with raw executemany (spread over a year, 4 villages, 3 matters, mostly
closed, texts from a small vocabulary); then the look-up for 200 new requests — p50 / p99 in ms.

    .venv/bin/python bench/intake/duplicates.py [--requests 1000000] [--var-dir DIR]

With --var-dir the database is kept there and reused by the next run with the same --requests (only the look-up
is timed again), so a change to the look-up can be measured against the same rows.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = r"""
import datetime as dt, os, random, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from tests.factories import make_county
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import Request

N = int(sys.argv[1])
rng = random.Random(1)
reuse = Request.objects.filter(number__startswith="RQ-BENCH-").count() == N
if not reuse:
    c = make_county()
else:
    from tiaokuai.org.models import Division
    class _C:
        villages = list(Division.objects.filter(level="village").order_by("code"))
    c = _C()
words = ["路灯", "坏了", "漏水", "噪声", "扰民", "占道", "经营", "垃圾", "堆放", "油烟", "建房", "耕地", "停电", "没水",
         "小区", "村口", "门口", "晚上", "一直", "很久", "没人管", "请尽快", "处理", "河道", "工地"]
def text():
    return "".join(rng.choice(words) for _ in range(rng.randint(5, 12)))
tmpl = None if reuse else services.request_submit(actor=None, channel="web", description=text(), village_code=c.villages[0].code,
                               citizen_phone="13800000000")
now = timezone.now()
villages = [(v.pk, v.township_id) for v in c.villages]
matters = ["ZR-001", "HB-001", "SJ-001", ""]
cols = ["number", "tracking_code", "channel", "kind", "status", "description", "township_id", "village_id", "address",
        "citizen_name", "citizen_phone", "matter_code", "matter_name", "submitted_at", "updated_at", "feedback_by",
        "outcome", "outcome_note", "satisfaction", "callback_comment", "false_completion", "reopen_count",
        "return_count", "whistle_number", "media_url"]
sql = f"INSERT INTO intake_request ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
t0 = time.perf_counter()
chunk = 20000
with connection.cursor() as cur:
    for start in range(0, 0 if reuse else N, chunk):
        rows = []
        for i in range(start, min(N, start + chunk)):
            v, t = rng.choice(villages)
            at = now - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
            status = "closed" if rng.random() < 0.9 else rng.choice(["received", "dispatched", "resolved"])
            rows.append((f"RQ-BENCH-{i:08d}", f"B{i:09d}", "web", "general", status, text(), t, v, "", "", "",
                         rng.choice(matters), "", at, at, at, "", "", "", "", False, 0, 0, "", ""))
        with transaction.atomic():
            cur.executemany(sql, rows)
if not reuse:
    print(f"inserted {N:,} requests in {time.perf_counter() - t0:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
else:
    print(f"reusing the {N:,} requests stored", flush=True)
    rng = random.Random(2)
probes = []
for i in range(200):
    v, t = rng.choice(villages)
    probes.append(Request(pk=10**9 + i, village_id=v, township_id=t, matter_code=rng.choice(matters),
                          description=text(), submitted_at=now))
for p in probes[:5]:
    selectors.likely_duplicates(p)
captured = []
def capture(execute, sql, params, many, context):
    captured.append((sql, params))
    return execute(sql, params, many, context)
with connection.execute_wrapper(capture):
    selectors.likely_duplicates(probes[0])
with connection.cursor() as cur:
    for sql, params in captured:  # the plan of the statement as sent: bound parameters, not literals
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        print("plan:", [r[-1] for r in cur.fetchall()])
times = []
found = 0
for p in probes:
    t1 = time.perf_counter()
    found += len(selectors.likely_duplicates(p))
    times.append((time.perf_counter() - t1) * 1000)
times.sort()
print(f"likely duplicates over {N + 1:,} requests: p50 {statistics.median(times):.1f} ms, "
      f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms ({found} candidates for {len(probes)} new requests)")
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--var-dir", default="", help="keep the database here and reuse it")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.var_dir:
            tmp = args.var_dir
            os.makedirs(tmp, exist_ok=True)
        env = {**os.environ, "TIAOKUAI_VAR_DIR": tmp, "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        py = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run([py, "-m", "django", "migrate", "--noinput", "--settings=tiaokuai.config.settings"], env=env,
                       check=True, capture_output=True, cwd=ROOT)
        subprocess.run([py, "-c", CODE, str(args.requests)], env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
