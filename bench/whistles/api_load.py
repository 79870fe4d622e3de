"""Benchmark (a): whistle creation through the JSON API against the real server (granian).

For each database (SQLite, PostgreSQL): fresh DB → migrate → minimal county (ORM) → `tiaokuai serve`
on 127.0.0.1:<free port> → warm-up → closed loop with 32 concurrent keep-alive clients (bounded
number of requests and a time limit) → open loop at a fixed offered rate (300 req/s, latency counted
from the scheduled send time, so a slow server cannot hide its queue) → worker RSS (psutil).

    .venv/bin/python bench/whistles/api_load.py [--db sqlite,postgresql] [--requests 4000]
        [--concurrency 32] [--rate 300] [--seconds 10] [--workers 2] [--threads 4]
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from common import (  # noqa: E402
    Conn,
    fresh_database,
    percentile,
    run_python,
    run_tiaokuai,
    server,
    server_cpu_seconds,
    server_log,
    worker_rss_mib,
)
from tests.live_county import SETUP  # noqa: E402

PATH = "/api/v1/whistles"
WHAT = "whistle creation"  # the heading: what is posted (the intake benchmarks set their own)
REQUEST_TIMEOUT = 30.0
SAMPLES: dict = {}  # first response body per unexpected status, to say why requests failed


async def send(conn, i: int, data: dict, headers: dict) -> int:
    try:
        status, body = await asyncio.wait_for(
            conn.request("POST", PATH, payload(data, i), headers), REQUEST_TIMEOUT
        )
    except (ConnectionError, asyncio.IncompleteReadError, OSError, TimeoutError):
        conn.close()
        return 599
    if status not in (200, 201):
        SAMPLES.setdefault(status, body[:300].decode("utf-8", "replace"))
    return status


def payload(data: dict, i: int) -> bytes:
    return json.dumps(
        {
            "item": data["item"],
            "village": data["village"],
            "urgency": "normal",
            "description": f"压测：村口有人违法占用耕地建房 #{i}",
            "address": "村口",
        }
    ).encode()


async def closed_loop(port: int, data: dict, *, total: int, concurrency: int, limit_s: float) -> dict:
    headers = {"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"}
    lat: list[float] = []
    codes: dict[int, int] = {}
    counter = iter(range(total))
    stop_at = time.perf_counter() + limit_s

    async def client():
        conn = Conn("127.0.0.1", port)
        for i in counter:
            if time.perf_counter() > stop_at:
                break
            t0 = time.perf_counter()
            status = await send(conn, i, data, headers)
            lat.append(time.perf_counter() - t0)
            codes[status] = codes.get(status, 0) + 1
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    ok = codes.get(200, 0) + codes.get(201, 0)
    return {
        "requests": len(lat),
        "ok": ok,
        "codes": codes,
        "seconds": round(elapsed, 2),
        "rps": round(ok / elapsed, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
    }


async def open_loop(
    port: int, data: dict, *, rate: float, seconds: float, grace: float = 30.0, max_connections: int = 256
) -> dict:
    """Send at a fixed rate whatever the server does; latency counts from the scheduled send time (a
    request waiting for a free connection is already late). Requests unfinished `grace` seconds after
    the last send count as failures (their latency as the time waited)."""
    headers = {"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"}
    idle: list[Conn] = []
    gate = asyncio.Semaphore(max_connections)
    lat: list[float] = []
    codes: dict[int, int] = {}
    n = int(rate * seconds)

    async def one(i: int, scheduled: float):
        async with gate:
            conn = idle.pop() if idle else Conn("127.0.0.1", port)
            status = await send(conn, 10_000_000 + i, data, headers)
            if status != 599:
                idle.append(conn)
        lat.append(time.perf_counter() - scheduled)  # from the scheduled time: no coordinated omission
        codes[status] = codes.get(status, 0) + 1

    start = time.perf_counter()
    tasks = []
    for i in range(n):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    _done, pending = await asyncio.wait(tasks, timeout=grace)
    end = time.perf_counter()
    for t in pending:
        t.cancel()
    unfinished = len(pending)
    if unfinished:
        codes["unfinished"] = unfinished
        lat.extend([end - start - i / rate for i in range(n - unfinished, n)])
    for c in idle:
        c.close()
    ok = codes.get(200, 0) + codes.get(201, 0)
    return {
        "offered_rps": rate,
        "requests": n,
        "codes": codes,
        "achieved_rps": round(ok / (end - start), 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat) * 1000, 1),
    }


def wait_idle(proc, limit_s: float = 180.0) -> None:
    """Wait until the server uses (almost) no CPU for a second."""
    stop = time.monotonic() + limit_s
    while time.monotonic() < stop:
        before = server_cpu_seconds(proc)
        time.sleep(1.0)
        if server_cpu_seconds(proc) - before < 0.05:
            return


def bench(kind: str, args) -> dict:
    with fresh_database(kind) as env:
        run_tiaokuai(env, "migrate", "--noinput")
        data = json.loads(run_python(env, SETUP).splitlines()[-1])
        with server(env, workers=args.workers, threads=args.threads) as (proc, port):
            warm = asyncio.run(closed_loop(port, data, total=100, concurrency=4, limit_s=30))
            if warm["ok"] == 0:
                raise SystemExit(f"{kind}: whistle creation fails: {warm['codes']}")
            cpu0 = server_cpu_seconds(proc)
            closed = asyncio.run(
                closed_loop(port, data, total=args.requests, concurrency=args.concurrency, limit_s=args.limit)
            )
            closed["server_cpu_ms_per_request"] = round(
                (server_cpu_seconds(proc) - cpu0) * 1000 / max(1, closed["requests"]), 1
            )
            rss_after_closed = worker_rss_mib(proc)
            opened = []
            for rate in sorted(float(r) for r in str(args.rate).split(",")):  # lowest first
                wait_idle(proc)  # an overloaded run leaves a queue behind; let the server drain it
                opened.append(asyncio.run(open_loop(port, data, rate=rate, seconds=args.seconds)))
            rss = worker_rss_mib(proc)
        errors = [line for line in server_log(env).splitlines() if "Error" in line or "Exception" in line]
        return {
            "db": kind,
            "closed_loop": closed,
            "open_loop": opened,
            "error_samples": dict(SAMPLES),
            "server_errors": errors[-5:],
            "worker_rss_mib": rss,
            "worker_rss_mib_after_closed": rss_after_closed,
        }


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
    results = []
    for kind in args.db.split(","):
        try:
            results.append(bench(kind.strip(), args))
        except Exception as exc:  # report and go on with the other database
            results.append({"db": kind, "error": str(exc)[-500:]})
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{WHAT} via POST {PATH} (granian, {args.workers} workers × {args.threads} threads)")
    for r in results:
        if "error" in r:
            print(f"  {r['db']:<10} ERROR {r['error']}")
            continue
        c = r["closed_loop"]
        print(
            f"  {r['db']:<10} closed loop {args.concurrency} clients: {c['rps']} req/s, p50 {c['p50_ms']} ms, "
            f"p99 {c['p99_ms']} ms ({c['ok']}/{c['requests']} ok in {c['seconds']} s; codes {c['codes']}; "
            f"server CPU {c['server_cpu_ms_per_request']} ms/request)"
        )
        for o in r["open_loop"]:
            print(
                f"  {'':<10} open loop {o['offered_rps']:.0f} req/s offered: p50 {o['p50_ms']} ms, "
                f"p99 {o['p99_ms']} ms, max {o['max_ms']} ms (achieved {o['achieved_rps']} req/s; codes {o['codes']})"
            )
        print(f"  {'':<10} worker RSS MiB: {r['worker_rss_mib']}")
        for status, body in r.get("error_samples", {}).items():
            print(f"  {'':<10} sample {status}: {' '.join(body.split())[:200]}")
        for line in r.get("server_errors", []):
            print(f"  {'':<10} server log: {line[:200]}")


if __name__ == "__main__":
    main()
