"""Read benchmark: the whistle pages and every API list against a generated database (bench/data/generate.py).

    .venv/bin/python bench/whistles/reads.py [--var-dir var/bench-data] [--database-url URL] [--requests 50]
        [--deep-page 5000] [--deep-offset 100000] [--json]

Starts `tiaokuai serve` (granian, 2 workers × 4 threads) on 127.0.0.1:<free port> on that database, signs in as
demo accounts (var-dir/demo-accounts.json; password TIAOKUAI_DEMO_PASSWORD, default tiaokuai-demo): the
establishment office (county-wide), the department with the most dispatches, a township; then for each URL
5 warm-up requests and --requests (50) timed ones, one after the other on one keep-alive connection, and prints
p50/p95/max, the server's CPU per request (user+system of the granian process tree, psutil; the database
server's own CPU is not in it on PostgreSQL), the status and the answer's size. Page 1 against a deep page of the longest list (the county's
whistle list at page --deep-page by its keyset cursor — the cursor a client holds after walking there, found
once by OFFSET before the timing; the API's whistles at --deep-offset both by offset and by cursor, clamped to
the last 50). It reports; it never passes or fails on a time.
"""

import argparse
import json
import os
import re
import signal
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import ROOT, percentile, server, server_cpu_seconds  # noqa: E402


class Client:
    """One keep-alive connection with a cookie jar (enough for Django's session and CSRF cookies)."""

    def __init__(self, port: int):
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, bytes]:
        h = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body or None, headers=h)
            r = self.conn.getresponse()
        except (ConnectionError, OSError):
            self.conn.close()
            self.conn.request(method, path, body=body or None, headers=h)
            r = self.conn.getresponse()
        data = r.read()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        return r.status, data

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not m:
            raise RuntimeError(f"login page: {status}")
        body = urlencode({"username": username, "password": password,
                          "csrfmiddlewaretoken": m.group(1).decode()}).encode()
        status, _ = self.request("POST", "/login/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                            "Referer": "http://127.0.0.1/login/"})
        if status not in (302, 303) or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed: {status}")


def timed(client: Client, path: str, n: int, proc=None) -> dict:
    for _ in range(5):
        status, body = client.request("GET", path)
    cpu0 = server_cpu_seconds(proc) if proc is not None else 0.0
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, body = client.request("GET", path)
        lat.append(time.perf_counter() - t0)
    cpu = (server_cpu_seconds(proc) - cpu0) * 1000 / n if proc is not None else float("nan")
    return {"status": status, "bytes": len(body), "cpu_ms": round(cpu, 1), "p50_ms": round(percentile(lat, 50) * 1000, 1),
            "p95_ms": round(percentile(lat, 95) * 1000, 1), "max_ms": round(max(lat) * 1000, 1)}


def facts(env: dict, deep_page: int, deep_offset: int) -> dict:
    """What the URLs need from the database (in-process, read-only): counts, the busiest department, ids."""
    os.environ.update({k: v for k, v in env.items() if k in ("TIAOKUAI_VAR_DIR", "DATABASE_URL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from tiaokuai.core.paging import encode_cursor
    from tiaokuai.duties.models import ListRelease
    from tiaokuai.notify.models import Notification
    from tiaokuai.whistles.models import Dispatch, Whistle

    busiest = list(Dispatch.objects.values("organisation__code").annotate(n=Count("id")).order_by("-n")[:1])
    total = Whistle.objects.count()

    def cursor_at(position: int) -> str:
        """The cursor a client holds after walking to `position` of the county's list (the keyset of the row
        before it): found once here by OFFSET, so the timed requests measure the deep page itself."""
        row = (Whistle.objects.order_by("-raised_at", "-id").values_list("raised_at", "id")
               [max(0, min(position, total - 1) - 1)])
        return encode_cursor(list(row))

    release = ListRelease.objects.filter(kind="responsibility", status="published").order_by("-id").first()
    return {"whistles": total, "dispatches": Dispatch.objects.count(),
            "deep_page_cursor": cursor_at((deep_page - 1) * 25), "deep_offset_cursor": cursor_at(deep_offset),
            "notifications": Notification.objects.count(),
            "busiest_org": busiest[0]["organisation__code"] if busiest else None,
            "busiest_dispatches": busiest[0]["n"] if busiest else 0,
            "release_id": release.pk if release else None, "vendor": django.db.connection.vendor}


def accounts(var_dir: Path, busiest_org: str | None) -> dict[str, dict]:
    data = json.loads((var_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    by_role: dict[str, list[dict]] = {}
    for a in data:
        by_role.setdefault(a["role"], []).append(a)
    dept = next((a for a in by_role.get("department", []) if a["organisation"] == busiest_org),
                (by_role.get("department") or [None])[0])
    return {"office": by_role["establishment_office"][0], "department": dept, "township": by_role["township"][0]}


def urls(f: dict, args) -> list[tuple[str, str, str]]:
    """(label, account, path)."""
    last_page = max(1, (f["whistles"] + 24) // 25)
    deep_offset = max(0, min(args.deep_offset, f["whistles"] - 50))
    rel = f["release_id"]
    out = [
        ("county whistle board", "office", "/whistles/board/"),
        ("county whistle list, page 1", "office", "/whistles/?page=1"),
        (f"county whistle list, page {min(args.deep_page, last_page)} (deep, cursor)", "office",
         f"/whistles/?{urlencode({'cursor': f['deep_page_cursor']})}"),
        ("department whistle list", "department", "/whistles/"),
        ("department dispatch inbox", "department", "/whistles/inbox/"),
        ("department whistle board", "department", "/whistles/board/"),
        ("township whistle list", "township", "/whistles/"),
        ("township whistle board", "township", "/whistles/board/"),
        ("figures page", "office", "/whistles/figures/"),
        ("public responsibility list", "anonymous", "/lists/public/"),
        ("home (workbench), office", "office", "/"),
        ("API whistles, offset 0", "office", "/api/v1/whistles"),
        (f"API whistles, offset {deep_offset:,} (deep)", "office", f"/api/v1/whistles?offset={deep_offset}"),
        (f"API whistles, cursor at {deep_offset:,} (deep)", "office",
         f"/api/v1/whistles?{urlencode({'cursor': f['deep_offset_cursor']})}"),
        ("API whistles overdue", "office", "/api/v1/whistles?overdue=true"),
        ("API whistles, department", "department", "/api/v1/whistles"),
        ("API whistles, township", "township", "/api/v1/whistles"),
        ("API whistle-items", "office", "/api/v1/whistle-items"),
        ("API disputes", "office", "/api/v1/disputes"),
        ("API whistle-figures", "office", "/api/v1/whistle-figures"),
        ("API notifications, department", "department", "/api/v1/notifications"),
        ("API notifications/unread-count", "department", "/api/v1/notifications/unread-count"),
        ("API notifications/outbox", "office", "/api/v1/notifications/outbox"),
        ("API divisions", "office", "/api/v1/divisions"),
        ("API organisations", "office", "/api/v1/organisations"),
        ("API people", "office", "/api/v1/people"),
        ("API certificates", "office", "/api/v1/certificates"),
        ("API lists/releases", "office", "/api/v1/lists/releases"),
        ("API lists/in-force", "office", "/api/v1/lists/in-force"),
        ("API auth/tokens", "office", "/api/v1/auth/tokens"),
    ]
    if rel:
        out.append(("API lists/releases/{id}/matters", "office", f"/api/v1/lists/releases/{rel}/matters"))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--var-dir", default=os.environ.get("BENCH_DATA_DIR", str(ROOT / "var" / "bench-data")))
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--deep-page", type=int, default=5000)
    p.add_argument("--deep-offset", type=int, default=100_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout`: still stop the server
    var_dir = Path(args.var_dir).resolve()
    env = {**os.environ, "TIAOKUAI_VAR_DIR": str(var_dir), "TIAOKUAI_LOG_LEVEL": "WARNING"}
    env.pop("TIAOKUAI_TESTING", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    if not (var_dir / "demo-accounts.json").exists():
        raise SystemExit(f"no demo-accounts.json in {var_dir}: run bench/data/generate.py first")
    f = facts(env, args.deep_page, args.deep_offset)
    who = accounts(var_dir, f["busiest_org"])
    password = os.environ.get("TIAOKUAI_DEMO_PASSWORD", "tiaokuai-demo")
    results = []
    with server(env, workers=args.workers, threads=args.threads, log_name="reads-server.log") as (proc, port):
        clients = {"anonymous": Client(port)}
        for role, account in who.items():
            c = Client(port)
            c.login(account["username"], password)
            clients[role] = c
        if not args.json:
            print(f"reads on {f['vendor']} ({f['whistles']:,} whistles, {f['dispatches']:,} dispatches, "
                  f"{f['notifications']:,} notifications; department {f['busiest_org']} has "
                  f"{f['busiest_dispatches']:,} dispatches); {args.requests} warm requests each, ms")
            print(f"  {'what':<46} {'p50':>8} {'p95':>8} {'max':>8} {'cpu':>6}  code    bytes  path")
        for label, role, path in urls(f, args):
            r = timed(clients[role], path, args.requests, proc)
            results.append({"what": label, "as": who[role]["username"] if role in who else role, "path": path, **r})
            if not args.json:
                print(f"  {label:<46} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {r['cpu_ms']:>6}  {r['status']} "
                      f"{r['bytes']:>8}  {path}", flush=True)
    if args.json:
        print(json.dumps({"facts": f, "accounts": {k: v["username"] for k, v in who.items()}, "results": results},
                         ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
