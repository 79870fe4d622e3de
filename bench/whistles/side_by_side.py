"""Whistle intake, tiaokuai against its floor, side by side in one run (`make bench`).

For each database engine (SQLite, PostgreSQL): two fresh databases of that engine (one per system); tiaokuai:
migrate, the small test county and a one-item whistle list (as api_load.py), one bearer token for a township
user; the floor (bench/whistles/floor/): its own migrate and one bearer token. Both servers are started
(granian, WSGI, the same --workers/--threads) and stay up together; then each phase drives one system after the
other with the same client (bench/whistles/common.py), the order alternating from phase to phase:

* warm-up, 100 requests each;
* closed loop: --concurrency (32) keep-alive clients, at most --requests (4,000) or --limit (30) seconds;
* open loop: --rate (300) requests/s offered for --seconds (10), latency from the scheduled send time;

and for each system: req/s, p50/p99, server CPU per request (user+system time of the server's process tree,
psutil, over the phase ÷ requests answered), SQL statements per request (counted in-process with
django.test.utils.CaptureQueriesContext through the test client: BEGIN/COMMIT/SAVEPOINT not counted; for
tiaokuai also the service `whistle_raise` alone), the workers' RSS; then the ratio tiaokuai ÷ floor.
It reports figures; it never passes or fails on a time.

    .venv/bin/python bench/whistles/side_by_side.py [--db sqlite,postgresql] [--requests 4000]
        [--concurrency 32] [--rate 300] [--seconds 10] [--workers 2] [--threads 4] [--json]
"""

import argparse
import asyncio
import json
import shutil
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from api_load import SETUP, closed_loop, open_loop, wait_idle  # noqa: E402
from common import (  # noqa: E402
    ROOT,
    VENV_BIN,
    fresh_database,
    run_python,
    run_tiaokuai,
    server,
    server_cpu_seconds,
    server_log,
    worker_rss_mib,
)

FLOOR_DIR = HERE / "floor"

COUNT_TIAOKUAI = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone
from tiaokuai.core.services import token_user
from tiaokuai.whistles.services import whistle_raise
setup_test_environment()
data = json.loads(sys.argv[1])
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
def statements(ctx):
    return sum(1 for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(CONTROL))
body = json.dumps({"item": data["item"], "village": data["village"], "urgency": "normal",
                   "description": "计数：村口有人违法占用耕地建房", "address": "村口"})
client = Client()
auth = {"HTTP_AUTHORIZATION": "Bearer " + data["token"]}
client.post("/api/v1/whistles", body, content_type="application/json", **auth)  # warm: caches as in a worker
with CaptureQueriesContext(connection) as ctx:
    r = client.post("/api/v1/whistles", body, content_type="application/json", **auth)
assert r.status_code == 201, r.content
request = statements(ctx)
user = token_user(data["token"], at=timezone.now())
with CaptureQueriesContext(connection) as ctx:
    whistle_raise(actor=user, item_code=data["item"], village_code=data["village"], description="计数：服务",
                  urgency="normal", address="村口")
print(json.dumps({"request": request, "service": statements(ctx),
                  "sql": [q["sql"][:120] for q in ctx.captured_queries]}, ensure_ascii=False))
"""


def floor_env(env: dict) -> dict:
    """The floor's environment on the database `env` was made for (its own SQLite file or PostgreSQL db)."""
    url = env.get("DATABASE_URL") or f"sqlite:///{Path(env['TIAOKUAI_VAR_DIR']) / 'floor.sqlite3'}"
    return {**env, "FLOOR_DATABASE_URL": url, "PYTHONPATH": str(FLOOR_DIR), "DJANGO_SETTINGS_MODULE": "floor_settings"}


def floor_python(env: dict, *args: str) -> str:
    import subprocess

    out = subprocess.run([sys.executable, str(FLOOR_DIR / "floor_setup.py"), *args], env=env, check=True,
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def floor_argv(workers: int, threads: int) -> list[str]:
    """Exactly `tiaokuai serve`'s granian command line (core/management/commands/serve.py), other app."""
    granian = shutil.which("granian", path=str(VENV_BIN)) or "granian"
    return [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", "{port}", "--workers", str(workers),
            "--blocking-threads", str(threads), "--no-ws", "--log-level", "warning", "floor_wsgi:application"]


def measure(name: str, proc, phase) -> dict:
    cpu0 = server_cpu_seconds(proc)
    r = phase()
    done = sum(v for k, v in r["codes"].items() if k in (200, 201))
    r["server_cpu_ms_per_request"] = round((server_cpu_seconds(proc) - cpu0) * 1000 / max(1, done), 2)
    return r


def bench(kind: str, args) -> dict:
    with ExitStack() as stack:
        tk_env = stack.enter_context(fresh_database(kind))
        fl_env = floor_env(stack.enter_context(fresh_database(kind)))
        run_tiaokuai(tk_env, "migrate", "--noinput")
        tk_data = json.loads(run_python(tk_env, SETUP).splitlines()[-1])
        fl_data = json.loads(floor_python(fl_env))
        queries = {"tiaokuai": json.loads(run_python({**tk_env, "PYTHONPATH": str(ROOT)},
                                                     f"import sys; sys.argv[1:] = [{json.dumps(json.dumps(tk_data))}]\n"
                                                     + COUNT_TIAOKUAI).splitlines()[-1]),
                   "floor": json.loads(floor_python(fl_env, "--count-queries", fl_data["token"]))}
        tk_proc, tk_port = stack.enter_context(server(tk_env, workers=args.workers, threads=args.threads))
        fl_proc, fl_port = stack.enter_context(server(fl_env, workers=args.workers, threads=args.threads,
                                                      argv=floor_argv(args.workers, args.threads),
                                                      log_name="floor.log"))
        systems = {"tiaokuai": (tk_proc, tk_port, tk_data), "floor": (fl_proc, fl_port, fl_data)}
        out: dict = {"db": kind, "tiaokuai": {"queries": queries["tiaokuai"]},
                     "floor": {"queries": queries["floor"]}}
        for name, (_proc, port, data) in systems.items():
            warm = asyncio.run(closed_loop(port, data, total=100, concurrency=4, limit_s=30))
            if warm["ok"] == 0:
                raise SystemExit(f"{kind}/{name}: whistle creation fails: {warm['codes']}")
        order = ["tiaokuai", "floor"]
        for name in order:
            proc, port, data = systems[name]
            wait_idle(proc, 60)
            out[name]["closed_loop"] = measure(name, proc, lambda p=port, d=data: asyncio.run(closed_loop(
                p, d, total=args.requests, concurrency=args.concurrency, limit_s=args.limit)))
        for rate in sorted(float(r) for r in str(args.rate).split(",")):
            order.reverse()  # alternate who goes first
            for name in order:
                proc, port, data = systems[name]
                wait_idle(proc, 120)  # an overloaded run leaves a queue behind; let the server drain it
                out[name].setdefault("open_loop", []).append(measure(name, proc, lambda p=port, d=data, r=rate:
                                                                    asyncio.run(open_loop(p, d, rate=r,
                                                                                          seconds=args.seconds))))
        for name, (proc, _port, _data) in systems.items():
            out[name]["worker_rss_mib"] = worker_rss_mib(proc)
        out["tiaokuai"]["server_errors"] = [line[:200] for line in server_log(tk_env).splitlines()
                                            if "Error" in line or "Exception" in line][-5:]
        out["floor"]["server_errors"] = [line[:200] for line in server_log(fl_env, "floor.log").splitlines()
                                         if "Error" in line or "Exception" in line][-5:]
        return out


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "—"


def report(results: list[dict], args) -> None:
    print(f"whistle intake, POST /api/v1/whistles: tiaokuai vs floor (granian {args.workers} workers × "
          f"{args.threads} threads each; closed loop {args.concurrency} clients; open loop {args.rate}/s × "
          f"{args.seconds:g} s)")
    for r in results:
        if "error" in r:
            print(f"  {r['db']:<10} ERROR {r['error']}")
            continue
        print(f"\n  [{r['db']}]")
        print(f"  {'':<32}{'tiaokuai':>22}{'floor':>22}{'tiaokuai/floor':>16}")
        t, f = r["tiaokuai"], r["floor"]

        def row(label: str, tv, fv, rv: str = "") -> None:
            print(f"  {label:<32}{tv!s:>22}{fv!s:>22}{rv:>16}")

        tc, fc = t["closed_loop"], f["closed_loop"]
        row("closed loop req/s", tc["rps"], fc["rps"], ratio(tc["rps"], fc["rps"]))
        row("closed loop p50 / p99 ms", f"{tc['p50_ms']} / {tc['p99_ms']}", f"{fc['p50_ms']} / {fc['p99_ms']}",
            ratio(tc["p99_ms"], fc["p99_ms"]) + " (p99)")
        row("closed loop CPU ms/request", tc["server_cpu_ms_per_request"], fc["server_cpu_ms_per_request"],
            ratio(tc["server_cpu_ms_per_request"], fc["server_cpu_ms_per_request"]))
        row("closed loop answers", f"{tc['ok']}/{tc['requests']}", f"{fc['ok']}/{fc['requests']}")
        for to, fo in zip(t["open_loop"], f["open_loop"], strict=True):
            label = f"open {to['offered_rps']:.0f}/s"
            row(f"{label}: completed/s", to["achieved_rps"], fo["achieved_rps"],
                ratio(to["achieved_rps"], fo["achieved_rps"]))
            row(f"{label}: p50 / p99 ms", f"{to['p50_ms']} / {to['p99_ms']}", f"{fo['p50_ms']} / {fo['p99_ms']}",
                ratio(to["p99_ms"], fo["p99_ms"]) + " (p99)")
            row(f"{label}: CPU ms/request", to["server_cpu_ms_per_request"], fo["server_cpu_ms_per_request"],
                ratio(to["server_cpu_ms_per_request"], fo["server_cpu_ms_per_request"]))
            if set(to["codes"]) - {201} or set(fo["codes"]) - {201}:
                row(f"{label}: codes", json.dumps(to["codes"]), json.dumps(fo["codes"]))
        tq, fq = t["queries"], f["queries"]
        row("SQL per request (in-process)", tq["request"], fq["queries"], ratio(tq["request"], fq["queries"]))
        row("  of which whistle_raise", tq["service"], "—")
        row("worker RSS MiB", "/".join(str(x) for x in t["worker_rss_mib"]),
            "/".join(str(x) for x in f["worker_rss_mib"]),
            ratio(max(t["worker_rss_mib"] or [0]), max(f["worker_rss_mib"] or [0])) + " (max)")
        for name in ("tiaokuai", "floor"):
            for line in r[name].get("server_errors", []):
                print(f"  {name} server log: {line}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="sqlite,postgresql")
    p.add_argument("--requests", type=int, default=4000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--limit", type=float, default=30.0, help="time limit of the closed loop, seconds")
    p.add_argument("--rate", default="300", help="offered rate(s) of the open loop, req/s, comma-separated")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout`: still stop the servers, drop the dbs
    results = []
    started = time.monotonic()
    for kind in args.db.split(","):
        try:
            results.append(bench(kind.strip(), args))
        except Exception as exc:  # report and go on with the other engine
            results.append({"db": kind, "error": f"{type(exc).__name__}: {str(exc)[-500:]}"})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        report(results, args)
        print(f"\n  ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
