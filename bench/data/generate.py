"""Fill a database with N whistles of the demo county over three years, through bulk paths (`make bench-data`).

    .venv/bin/python bench/data/generate.py --n 1000000 [--var-dir var/bench-data] [--database-url URL]
        [--chunk 10000] [--seed 1] [--years 3]

The database is the SQLite file <var-dir>/tiaokuai.sqlite3, or --database-url (PostgreSQL, e.g.
postgresql://postgres@127.0.0.1:5432/bench_data; the database is created when missing). The var dir also holds
the demo accounts file (demo-accounts.json) that bench/whistles/reads.py logs in with.

1. When the database has no demo county: `tiaokuai migrate` and `tiaokuai demo load --seed 1` into it.
2. N whistles raised over the last --years years (more on working days and in office hours, slowly growing),
   numbered CS-YYYYMMDD-NNNN per day after the demo's numbers (the day counters are advanced), each with the
   dispatches the lists in force decide for its item and township (~2 per whistle), its audit events (raise,
   each dispatch resolved, confirm, close), its notifications (the departments' staff on raise, the
   township on resolve) and, for late dispatches, the escalations the sweep would have made. The older a
   whistle, the likelier it is closed: ~97 % of those older than 60 days; a few old ones stalled open, overdue
   and escalated to level 3 (under supervision); recent ones open, resolved or confirmed. Step deadlines are
   natural-time approximations (respond 2 h, arrive 1 day, resolve 5 days; urgent and emergency shorter);
   the next check of open dispatches is the sweep's own rule (services.next_check).
3. Rows go in by chunks of --chunk whistles, one transaction per chunk, with executemany on SQLite and binary
   COPY on PostgreSQL (never one ORM save per row); each chunk's transaction also records an audit event
   "bench.data" with its number, so an interrupted run resumes after the last whole chunk. A database that
   already holds generated rows for another N or seed is refused.
4. On PostgreSQL, as for any bulk load: the plain indexes and foreign keys of the five bulk-filled tables
   (whistles, dispatches, escalations, audit events, notifications) are dropped before the first chunk and
   built once after the last (maintenance_work_mem 1 GB), from the statements Django's schema editor makes
   for the models, so the schema ends as `migrate` leaves it (primary keys, unique and check constraints stay
   throughout); a run interrupted before they are back builds them on the next run (which then says
   "finishing" rather than "nothing to do"). A forked producer process builds and encodes the chunks while
   the main one sends and commits them (Python on one core, the server on the other); the loader's session
   commits with synchronous_commit off (bench data only).
5. The board's counts are recounted from the rows, then VACUUM ANALYZE (ANALYZE on SQLite).

Prints rows/s per chunk and the total time. Only for a benchmark database: never point it at real data.
PostgreSQL on 2 busy vCPUs: 1,000,000 whistles (11.5 M rows, 4.4 GB) in 5 min, 10,000,000 (115 M rows, 44 GB)
in 50 min, of which 39 min of chunks (the producer is the bound: ~1.2 s a chunk on an idle core), 9 min of
index builds (bench/README.md, "10 M on PostgreSQL"); before these changes 16.5 min per million.
"""

import argparse
import datetime as dt
import json
import multiprocessing
import multiprocessing.queues
import os
import queue
import random
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
MARK = "bench.data"
NUMBER_OFFSET = 500  # bulk numbers of a day start after the demo's (a few a day)
JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # one encoder, not one per value


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=int(os.environ.get("N", "1000000")))
    p.add_argument("--var-dir", default=os.environ.get("BENCH_DATA_DIR", str(ROOT / "var" / "bench-data")))
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--chunk", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--years", type=float, default=3.0)
    return p.parse_args()


def environment(args: argparse.Namespace) -> dict:
    var = Path(args.var_dir).resolve()
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TIAOKUAI_VAR_DIR": str(var), "TIAOKUAI_LOG_LEVEL": "WARNING"}
    env.pop("TIAOKUAI_TESTING", None)
    if args.database_url:
        url = args.database_url
        host = url.split("@")[-1].split("/")[0].split(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("bench data goes only to a database on 127.0.0.1")
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url
    else:
        env.pop("DATABASE_URL", None)
    return env


def load_demo(env: dict) -> None:
    """migrate + the demo county, unless the database already has it."""
    tk = str(VENV_BIN / "tiaokuai")
    subprocess.run([tk, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   timeout=600)
    from tiaokuai.org.models import Division

    if not Division.objects.filter(level="township").exists():
        t0 = time.monotonic()
        subprocess.run([tk, "demo", "load", "--seed", "1"], env=env, cwd=ROOT, check=True, timeout=900)
        print(f"demo county loaded in {time.monotonic() - t0:.1f} s")


# ----------------------------------------------------------------------------------------- the plan


def day_counts(n: int, days: list[dt.date], rng: random.Random) -> list[int]:
    """How many whistles each day gets (sums to n): working days 1, weekends 0.3, +40 % over the span."""
    from tiaokuai.core import worktime

    weights = [(1.0 if worktime.is_working_day(d) else 0.3) * (1 + 0.4 * i / len(days)) * rng.uniform(0.8, 1.2)
               for i, d in enumerate(days)]
    total = sum(weights)
    raw = [w * n / total for w in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(days)), key=lambda i: raw[i] - counts[i], reverse=True)[: n - sum(counts)]:
        counts[i] += 1
    return counts


def day_times(day: dt.date, count: int, seed: int, urgencies: list[str]) -> list[tuple[dt.datetime, str]]:
    """The raise moments (sorted) and urgencies of one day's whistles: the same for the same seed and day."""
    rng = random.Random(f"{seed}-{day.isoformat()}")
    out = []
    for _ in range(count):
        urgency = rng.choices(urgencies, weights=[78, 18, 4])[0]
        if urgency == "emergency":
            minute = rng.randint(6 * 60, 23 * 60)
        else:
            minute = rng.choice((rng.randint(8 * 60 + 30, 11 * 60 + 50), rng.randint(14 * 60, 17 * 60 + 20),
                                 rng.randint(7 * 60 + 40, 19 * 60)))
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randint(0, 59)), tzinfo=SHANGHAI)
        out.append((at, urgency))
    out.sort(key=lambda x: x[0])
    return out


class Adapter:
    """Values as the database takes them: SQLite through executemany (datetimes as naive UTC text, JSON as
    text, booleans as integers), PostgreSQL through binary COPY (psycopg's binary dumpers of the columns' own
    types: no text to format and parse; JSON dumped by psycopg). One converter per column type, chosen once
    per table (not an isinstance chain per value)."""

    def __init__(self, vendor: str):
        self.sqlite = vendor == "sqlite"

    def converter(self, field):
        if not self.sqlite:
            return None
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return lambda v: str(v.astimezone(UTC).replace(tzinfo=None))
        if kind == "JSONField":
            return JSON
        if kind == "BooleanField":
            return int
        return None


_UNSET = object()


class Table:
    """One model's table: every concrete column, the ones a row does not give taken from the field default."""

    def __init__(self, model, adapter: Adapter, *, with_id: bool):
        from django.db.models import NOT_PROVIDED

        self.model, self.adapter = model, adapter
        self.fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.rows: list[tuple] = []
        self.oids: list[int] = []
        self._context = None
        scope: dict = {"_append": self.rows.append, "_UNSET": _UNSET}
        params, exprs = [], []
        for i, f in enumerate(self.fields):
            convert = adapter.converter(f)
            d = f.get_default() if f.has_default() else None
            if d is None and f.db_default is not NOT_PROVIDED:  # e.g. the audit event's empty seal
                d = getattr(f.db_default, "value", f.db_default)
            scope[f"d{i}"] = convert(d) if convert and d is not None else d
            name = f.attname
            if convert is None:
                params.append(f"{name}=d{i}")
                exprs.append(name)
            else:
                scope[f"c{i}"] = convert
                params.append(f"{name}=_UNSET")
                exprs.append(f"(d{i} if {name} is _UNSET else None if {name} is None else c{i}({name}))")
        # One generated function per table appends a row tuple from keyword arguments: no per-column loop
        # and no dict look-ups in Python (the interpreter binds the keywords to the parameters).
        src = f"def add(*, {', '.join(params)}):\n    _append(({', '.join(exprs)},))"
        exec(src, scope)  # noqa: S102 (column names from the model)
        self.add = scope["add"]

    def take(self) -> list[tuple]:
        rows = self.rows[:]
        self.rows.clear()  # the same list object: add() appends to it
        return rows

    def copy_sql(self, connection) -> tuple[str, str]:
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        return table, ", ".join(qn(f.column) for f in self.fields)

    def column_types(self, connection) -> None:
        """PostgreSQL: the columns' type OIDs, from the table itself, for the binary COPY."""
        table, cols = self.copy_sql(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {cols} FROM {table} LIMIT 0")  # noqa: S608
            self.oids = [d.type_code for d in cursor.description]

    def encode(self, rows: list[tuple]) -> bytes:
        """PostgreSQL: the rows as one binary COPY stream (signature, rows, trailer), by psycopg's own binary
        dumpers of the columns' types (C); needs no connection, so the producer process does it."""
        from types import SimpleNamespace

        from psycopg import postgres, pq
        from psycopg._copy_base import BinaryFormatter
        from psycopg.adapt import AdaptersMap, Transformer
        from psycopg.types.json import set_json_dumps

        if self._context is None:  # psycopg's adapters with our JSON encoder, for these rows only
            self._context = SimpleNamespace(adapters=AdaptersMap(postgres.adapters), connection=None)
            set_json_dumps(JSON, context=self._context)
        tx = Transformer(self._context)
        tx.set_dumper_types(self.oids, pq.Format.BINARY)
        formatter = BinaryFormatter(tx)
        out = bytearray()
        for row in rows:
            out += formatter.write_row(row)
        out += formatter.end()
        return bytes(out)

    def write(self, connection, rows: list[tuple] | bytes, n: int) -> int:
        """n rows: a list of tuples (SQLite, executemany) or an encoded binary COPY stream (PostgreSQL)."""
        if not n:
            return 0
        table, cols = self.copy_sql(connection)
        with connection.cursor() as cursor:
            if self.adapter.sqlite:
                sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['?'] * len(self.fields))})"  # noqa: S608
                cursor.cursor.executemany(sql, rows)  # the sqlite3 cursor itself: no per-row placeholder rewrite
            else:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(rows)
        return n


class County:
    """What the demo county gives the generator: townships, villages, grids, raisers, routes, staff."""

    def __init__(self, now: dt.datetime):
        from django.contrib.auth import get_user_model

        from tiaokuai.org.models import Division, Membership
        from tiaokuai.whistles import services as S
        from tiaokuai.whistles.demo_history import _describe
        from tiaokuai.whistles.models import WhistleItem

        self.item_release_id, self.resp_release_id = S.releases_in_force(now.date())
        if not self.item_release_id:
            raise SystemExit("no whistle list in force: is the demo county loaded?")
        routes = S.routes_for(self.item_release_id, self.resp_release_id)
        self.townships = list(Division.objects.filter(level="township").order_by("code"))
        villages: dict[int, list] = {}
        for v in Division.objects.filter(level="village").order_by("code"):
            villages.setdefault(v.township_id, []).append(v)
        grids: dict[int, list[int]] = {}
        for g in Division.objects.filter(level="grid").order_by("code"):
            grids.setdefault(g.parent_id, []).append(g.pk)
        self.raisers: dict[int, tuple[int, int]] = {}
        staff: dict[int, list[int]] = {}
        for m in Membership.objects.filter(person__user__isnull=False).select_related("person").order_by("id"):
            uid = m.person.user_id if hasattr(m.person, "user_id") else None
            if uid is None:
                continue
            if m.role == "township" and m.division_id and m.division_id not in self.raisers:
                self.raisers[m.division_id] = (uid, m.organisation_id)
            if m.role in ("department", "officer"):
                staff.setdefault(m.organisation_id, []).append(uid)
        active = set(get_user_model().objects.filter(is_active=True).values_list("pk", flat=True))
        self.staff = {o: sorted({u for u in us if u in active}) for o, us in staff.items()}
        self.townships = [t for t in self.townships if t.pk in self.raisers and villages.get(t.pk)]
        self.villages = villages
        self.grids = grids
        items = {i.pk: i for i in WhistleItem.objects.filter(release_id=self.item_release_id).select_related("domain")}
        self.routes = {}  # code → (route, {township id: [(org id, org code, role, assignment role)]})
        for code, r in sorted(routes.items()):
            plans = {}
            for t in self.townships:
                plan = S.dispatch_plan(r, t.pk)
                if plan:
                    plans[t.pk] = [(b.organisation_id, b.code, role, b.role) for b, role in plan]
            if len(plans) == len(self.townships):
                self.routes[code] = (r, plans)
        if not self.routes:
            raise SystemExit("no whistle list item routes in every township")
        self.codes = sorted(self.routes)
        rng = random.Random(7)
        self.descriptions = {code: [_describe(rng, items[r.item_id], items[r.item_id].domain.code, "")
                                    for _ in range(12)] for code, (r, _p) in self.routes.items()}


# ----------------------------------------------------------------------------------------- one chunk

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
DEADLINES = {"normal": (2 * H, 24 * H, 120 * H), "urgent": (30 * MIN, 7 * H, 48 * H),
             "emergency": (15 * MIN, 1 * H, 12 * H)}
OUTCOMES = (("resolved", 85), ("partly_resolved", 8), ("cannot_resolve", 3), ("referred", 4))
ESCALATE_AFTER = {"normal": 7 * H, "urgent": 3 * H, "emergency": 1 * H}


def fate(rng: random.Random, age_days: float) -> str:
    r = rng.random()
    if age_days < 2:
        table = (("open", 0.85), ("resolved", 0.95), ("confirmed", 0.98))
    elif age_days < 14:
        table = (("open", 0.3), ("resolved", 0.5), ("confirmed", 0.6))
    elif age_days < 60:
        table = (("open", 0.06), ("resolved", 0.1), ("confirmed", 0.13))
    else:
        table = (("open", 0.015), ("resolved", 0.02), ("confirmed", 0.03))
    for status, upto in table:
        if r < upto:
            return status
    return "closed"


def chunk_rows(k: int, plan: list[tuple[dt.date, int, int]], county: County, tables: dict, ids: dict,
               now: dt.datetime, seed: int, per_day: dict) -> None:
    """Rows of whistles plan[...] (day, seq in the day, count of the day) into the tables."""
    from tiaokuai.whistles.services import next_check

    rng = random.Random(f"{seed}-chunk-{k}")
    W, D, E, A, N = (tables[x] for x in ("whistle", "dispatch", "escalation", "audit", "notification"))
    times: dict[dt.date, list] = {}
    for day, seq, count in plan:
        if day not in times:
            times[day] = day_times(day, count, seed, ["normal", "urgent", "emergency"])
        raised, urgency = times[day][seq]
        if raised > now - 20 * MIN:
            raised = now - rng.randint(20, 600) * MIN
        age = (now - raised).total_seconds() / 86400
        township = county.townships[rng.randrange(len(county.townships))]
        village = rng.choice(county.villages[township.pk])
        grid = rng.choice(county.grids[village.pk]) if county.grids.get(village.pk) and rng.random() < 0.6 else None
        raiser, raising_org = county.raisers[township.pk]
        code = county.codes[rng.randrange(len(county.codes))]
        route, plans = county.routes[code]
        bodies = plans[township.pk]
        status = fate(rng, age)
        wid = ids["whistle"] = ids["whistle"] + 1
        number = f"CS-{day:%Y%m%d}-{NUMBER_OFFSET + seq + 1:04d}"
        per_day[day] = max(per_day.get(day, 0), NUMBER_OFFSET + seq + 1)
        respond, arrive, resolve = DEADLINES[urgency]
        respond_by, arrive_by, resolve_by = raised + respond, raised + arrive, raised + resolve
        description = rng.choice(county.descriptions[code])
        A.add(at=raised, actor_id=raiser, action="whistles.raise", object_type="whistles.whistle", object_id=str(wid),
              object_repr=number, before=None, request_id="", after={
                  "number": number, "status": "open", "item": code, "urgency": urgency,
                  "item_release": county.item_release_id, "responsibility_release": county.resp_release_id,
                  "dispatches": [{"id": ids["dispatch"] + i + 1, "organisation": c, "role": role}
                                 for i, (_o, c, role, _a) in enumerate(bodies)]})
        title = f"吹哨 {number}：{route.name}"[:200]
        url = f"/whistles/{wid}/"
        done_all = status != "open"
        earliest = None  # the earliest running deadline (Whistle.overdue_from, ADR 0020)
        last_resolved = raised
        supervised_at = None
        for org_id, org_code, role, assignment in bodies:
            did = ids["dispatch"] = ids["dispatch"] + 1
            late = rng.random() < 0.13
            row = {"id": did, "whistle_id": wid, "organisation_id": org_id, "role": role, "dispatched_at": raised,
                   "respond_by": respond_by, "arrive_by": arrive_by, "resolve_by": resolve_by,
                   "matter_code": route.matter_code, "assignment_role": assignment,
                   "decided_by_release_id": county.resp_release_id}
            level, escalated_at = 0, None
            if done_all:
                responded = raised + respond * rng.uniform(0.1, 0.9) * (2.5 if late else 1)
                arrived = responded + (arrive - respond) * rng.uniform(0.1, 0.9)
                resolved = arrived + (resolve - arrive) * rng.uniform(0.05, 0.9) * (1.6 if late else 1)
                resolved = min(resolved, now - MIN * rng.randint(5, 600))
                arrived, responded = min(arrived, resolved), min(responded, resolved)
                last_resolved = max(last_resolved, resolved)
                outcome = rng.choices([o for o, _w in OUTCOMES], weights=[w for _o, w in OUTCOMES])[0]
                row.update(status="resolved", responded_at=responded, arrived_at=arrived, resolved_at=resolved,
                           outcome=outcome, arrival_people="执法人员2人", next_check_at=None)
                if late and responded > respond_by:
                    level, escalated_at = 1, respond_by + MIN
                    ids["escalation"] += 1
                    E.add(id=ids["escalation"], dispatch_id=did, level=1, kind="respond", at=escalated_at,
                          overdue_minutes=int((responded - respond_by).total_seconds() // 60))
                A.add(at=resolved, actor_id=(county.staff.get(org_id) or [None])[0], action="whistles.resolve",
                      object_type="whistles.whistle", object_id=str(wid), object_repr=number, before=None,
                      request_id="", after={"dispatch": did, "organisation": org_code, "status": "resolved",
                                            "outcome": outcome, "late": resolved > resolve_by})
            else:
                step = rng.choice((0, 1, 1, 2, 2, 2))
                pending_due = (respond_by, arrive_by, resolve_by)[step]
                responded = raised + respond * rng.uniform(0.1, 0.9) if step >= 1 else None
                arrived = responded + (arrive - respond) * rng.uniform(0.1, 0.9) if step >= 2 and responded else None
                if responded and responded > now:
                    responded, arrived, step, pending_due = None, None, 0, respond_by
                if arrived and arrived > now:
                    arrived, step, pending_due = None, 1, arrive_by
                dstatus = ("dispatched", "responded", "arrived")[step]
                earliest = pending_due if earliest is None else min(earliest, pending_due)
                kind = ("respond", "arrive", "resolve")[step]
                if pending_due < now:
                    overdue = now - pending_due
                    level = min(3, 1 + int(overdue / ESCALATE_AFTER[urgency]))
                    for lv in range(1, level + 1):
                        at = pending_due + MIN + ESCALATE_AFTER[urgency] * (lv - 1)
                        ids["escalation"] += 1
                        E.add(id=ids["escalation"], dispatch_id=did, level=lv, kind=kind, at=at,
                              overdue_minutes=int((at - pending_due).total_seconds() // 60))
                        A.add(at=at, actor_id=None, action="whistles.escalate", object_type="whistles.whistle",
                              object_id=str(wid), object_repr=number, before={"escalation_level": lv - 1},
                              request_id="", after={"dispatch": did, "escalation_level": lv, "kind": kind})
                        escalated_at = at
                    if level == 3:
                        supervised_at = min(supervised_at or escalated_at, escalated_at)
                row.update(status=dstatus, responded_at=responded, arrived_at=arrived)
                row["next_check_at"] = next_check({
                    "status": dstatus, "paused_since": None, "responded_at": responded, "arrived_at": arrived,
                    "respond_by": respond_by, "arrive_by": arrive_by, "resolve_by": resolve_by,
                    "escalation_level": level, "escalated_at": escalated_at, "urgency": urgency})
            row.update(escalation_level=level, escalated_at=escalated_at)
            D.add(**row)
            for uid in county.staff.get(org_id, ())[:2]:
                N.add(recipient_id=uid, kind="whistles.dispatch", title=title, body=description[:500], url=url,
                      object_type="whistles.whistle", object_id=str(wid), created_at=raised,
                      read_at=raised + rng.randint(5, 600) * MIN if age > 1 or rng.random() < 0.5 else None)
        w = {"id": wid, "number": number, "status": status, "item_id": route.item_id,
             "item_release_id": county.item_release_id, "responsibility_release_id": county.resp_release_id,
             "township_id": township.pk, "village_id": village.pk, "grid_id": grid, "raised_by_id": raiser,
             "raising_org_id": raising_org, "address": f"{township.name}{village.name}",
             "latitude": None, "longitude": None, "description": description, "urgency": urgency,
             "raised_at": raised, "supervised_at": supervised_at,
             "in_counts": True,  # counted by the recount at the end (ADR 0015), not left to the fold
             "overdue_from": earliest, "overdue_counted": earliest is not None and earliest <= now}
        if done_all:
            w["resolved_at"] = last_resolved
            N.add(recipient_id=raiser, kind="whistles.resolved", title=f"{number} 已办结"[:200], body="", url=url,
                  object_type="whistles.whistle", object_id=str(wid), created_at=last_resolved,
                  read_at=last_resolved + rng.randint(5, 900) * MIN if status != "resolved" else None)
            if status in ("confirmed", "closed"):
                confirmed = min(last_resolved + rng.randint(30, 2880) * MIN, now - MIN)
                w["confirmed_at"] = confirmed
                A.add(at=confirmed, actor_id=raiser, action="whistles.confirm", object_type="whistles.whistle",
                      object_id=str(wid), object_repr=number, before={"status": "resolved"}, request_id="",
                      after={"status": "confirmed"})
                if status == "closed":
                    closed = min(confirmed + rng.randint(1, 1440) * MIN, now)
                    w["closed_at"] = closed
                    A.add(at=closed, actor_id=raiser, action="whistles.close", object_type="whistles.whistle",
                          object_id=str(wid), object_repr=number, before={"status": "confirmed"}, request_id="",
                          after={"status": "closed"})
        W.add(**w)


# ----------------------------------------------------------------------------------------- PostgreSQL bulk mode


class SecondaryKeys:
    """The plain indexes and foreign keys of the bulk-filled tables, as the migrations make them: the statements
    Django's schema editor defers when it creates each model (field indexes, Meta.indexes, foreign keys), taken
    from the schema editor itself, not copied. On PostgreSQL they are dropped before the load and built once
    after it (one sort per index, one join per foreign key, instead of ~100 random index insertions and ~10
    key look-ups per whistle). Primary keys, unique and check constraints stay in place throughout (the
    generated ids, numbers and escalation levels come in ascending order, so their indexes grow at the right
    edge). Whatever is missing is built again at the end of any later run: an interrupted load leaves no
    table without its indexes for good."""

    def __init__(self, models):
        from django.db import connection

        self.statements: list[tuple[str, str, str, str]] = []  # (kind, table, name, sql), creation order
        with connection.schema_editor(collect_sql=True, atomic=False) as editor:
            for model in models:
                editor.create_model(model)
                for stmt in editor.deferred_sql:
                    sql = str(stmt)
                    name = str(stmt.parts["name"]).strip('"')
                    if sql.startswith("CREATE INDEX "):
                        self.statements.append(("index", model._meta.db_table, name, sql))
                    elif " FOREIGN KEY " in sql:
                        self.statements.append(("fk", model._meta.db_table, name, sql))
                editor.deferred_sql = []
            editor.collected_sql = []

    def present(self, cursor) -> set[str]:
        tables = sorted({t for _k, t, _n, _s in self.statements})
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s) "
                       "UNION SELECT conname FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                       [tables, tables])
        return {r[0] for r in cursor.fetchall()}

    def missing(self, cursor) -> list[str]:
        have = self.present(cursor)
        return [n for _k, _t, n, _s in self.statements if n not in have]

    def drop(self, cursor) -> int:
        from django.db import connection

        qn = connection.ops.quote_name
        have = self.present(cursor)
        dropped = 0
        for kind, table, name, _sql in reversed(self.statements):
            if name in have:
                cursor.execute(f"DROP INDEX {qn(name)}" if kind == "index"
                               else f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                dropped += 1
        return dropped

    def build(self, cursor) -> list[tuple[str, float]]:
        """Create the missing ones in the migrations' order; [(name, seconds)]."""
        have = self.present(cursor)
        spent = []
        for _kind, _table, name, sql in self.statements:
            if name not in have:
                t0 = time.monotonic()
                cursor.execute(sql)
                spent.append((name, time.monotonic() - t0))
        return spent


# ----------------------------------------------------------------------------------------- main


def main() -> None:
    args = parse()
    env = environment(args)
    os.environ.update({k: v for k, v in env.items() if k in ("TIAOKUAI_VAR_DIR", "DATABASE_URL",
                                                                  "TIAOKUAI_LOG_LEVEL")})
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiaokuai.config.settings")
    import django

    django.setup()
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from tiaokuai.core import numbering
    from tiaokuai.core.models import AuditEvent
    from tiaokuai.notify.models import Notification
    from tiaokuai.whistles.models import Dispatch, Escalation, Whistle
    from tiaokuai.whistles.services import NUMBER_PREFIX

    started = time.monotonic()
    load_demo(env)
    marks = AuditEvent.objects.filter(action=MARK).order_by("-id")
    last = marks.first()
    total_chunks = (args.n + args.chunk - 1) // args.chunk
    if last is not None:
        m = last.after or {}
        if (m.get("n"), m.get("seed")) != (args.n, args.seed):
            raise SystemExit(f"refused: this database already holds generated whistles (n={m.get('n')}, "
                             f"seed={m.get('seed')}); use a new --var-dir or database")
        args.chunk = m["chunk_size"]  # resume with the chunks it was started with
        total_chunks = (args.n + args.chunk - 1) // args.chunk
        now = dt.datetime.fromisoformat(m["now"])
        first_chunk = m["chunk"] + 1
    else:
        now = timezone.now().astimezone(SHANGHAI).replace(second=0, microsecond=0)
        first_chunk = 0
    bulk = [Whistle, Dispatch, Escalation, AuditEvent, Notification]
    keys = SecondaryKeys(bulk) if connection.vendor == "postgresql" else None
    if first_chunk == total_chunks:
        with connection.cursor() as cursor:
            if keys is None or not keys.missing(cursor):
                print(f"nothing to do: {args.n:,} whistles already generated ({connection.vendor})")
                return
        print(f"all {total_chunks} chunks loaded before; finishing (indexes, counts, VACUUM)")
    elif first_chunk:
        print(f"resuming after chunk {first_chunk}/{total_chunks}")
    if keys is not None and first_chunk < total_chunks:
        with connection.cursor() as cursor:
            t0 = time.monotonic()
            dropped = keys.drop(cursor)
            if dropped:
                print(f"  {dropped} secondary indexes and foreign keys dropped for the load "
                      f"({time.monotonic() - t0:.1f} s); built again at the end")
    county = County(now)
    end_day = now.date()
    days = [end_day - dt.timedelta(days=i) for i in range(int(365 * args.years) - 1, -1, -1)]
    counts = day_counts(args.n, days, random.Random(args.seed))
    index: list[tuple[dt.date, int, int]] = [(d, s, c) for d, c in zip(days, counts, strict=True) for s in range(c)]
    adapter = Adapter(connection.vendor)
    tables = {"whistle": Table(Whistle, adapter, with_id=True), "dispatch": Table(Dispatch, adapter, with_id=True),
              "escalation": Table(Escalation, adapter, with_id=True),
              "audit": Table(AuditEvent, adapter, with_id=False),
              "notification": Table(Notification, adapter, with_id=False)}
    print(f"generating {args.n:,} whistles over {len(days)} days up to {now:%Y-%m-%d %H:%M} on {connection.vendor} "
          f"({connection.settings_dict['NAME']}), chunks of {args.chunk:,}")
    names = ("whistle", "dispatch", "escalation", "audit", "notification")
    gen_started = time.monotonic()
    done = {"rows": 0, "at": gen_started}

    def write_chunk(k: int, data: dict[str, list[tuple] | bytes], sizes: dict[str, int], per_day: dict,
                    building: float) -> None:
        """One chunk's rows, its sequences, day counters and mark: one transaction."""
        t0 = time.monotonic()
        with transaction.atomic():
            n = sum(tables[name].write(connection, data[name], sizes[name]) for name in names)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), [Whistle, Dispatch, Escalation]):
                        cursor.execute(sql)
            numbering.advance(NUMBER_PREFIX, per_day)
            AuditEvent.objects.create(at=timezone.now(), action=MARK, object_type="bench", object_id=str(k),
                                      object_repr="bench data", after={
                                          "n": args.n, "seed": args.seed, "chunk_size": args.chunk, "chunk": k,
                                          "now": now.isoformat()})
        at = time.monotonic()
        done["rows"] += n
        print(f"  chunk {k + 1}/{total_chunks}: {n:,} rows in {at - done['at']:.1f} s "
              f"({n / (at - done['at']):,.0f} rows/s; building {building:.1f} s, writing {at - t0:.1f} s)",
              flush=True)
        done["at"] = at

    ids = {"whistle": Whistle.objects.order_by("-id").values_list("id", flat=True).first() or 0,
           "dispatch": Dispatch.objects.order_by("-id").values_list("id", flat=True).first() or 0,
           "escalation": Escalation.objects.order_by("-id").values_list("id", flat=True).first() or 0}

    def build(k: int, encode: bool) -> tuple:
        """Chunk k's rows (ids carry on from the chunk before: each takes the next ones after the last one)."""
        t0 = time.monotonic()
        per_day: dict[dt.date, int] = {}
        chunk_rows(k, index[k * args.chunk:(k + 1) * args.chunk], county, tables, ids, now, args.seed, per_day)
        rows = {name: tables[name].take() for name in names}
        sizes = {name: len(r) for name, r in rows.items()}
        data = {name: tables[name].encode(r) for name, r in rows.items()} if encode else rows
        return k, data, sizes, per_day, time.monotonic() - t0

    if keys is None:  # SQLite: build and write in turn
        for k in range(first_chunk, total_chunks):
            write_chunk(*build(k, encode=False))
    elif first_chunk < total_chunks:
        # PostgreSQL: a producer process builds and encodes the chunks (Python, one core) while this one sends
        # them by binary COPY and commits them in order, one transaction each (the server's work, the other
        # core). The producer never touches the database: it is forked with no connection open.
        for name in names:
            tables[name].column_types(connection)
        from django.db import connections

        connections.close_all()
        mp = multiprocessing.get_context("fork")
        built: multiprocessing.queues.Queue = mp.Queue(maxsize=2)

        parent = os.getpid()

        def produce() -> None:
            import signal
            import traceback

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops, and so does this

            def put(item) -> None:
                while True:
                    try:
                        return built.put(item, timeout=5)
                    except queue.Full:
                        if os.getppid() != parent:  # the parent is gone (interrupted, killed)
                            os._exit(1)

            try:
                for k in range(first_chunk, total_chunks):
                    put(build(k, encode=True))
            except Exception:
                put(("failed", traceback.format_exc()))

        producer = mp.Process(target=produce, name="bench-data-producer", daemon=True)
        producer.start()
        with connection.cursor() as cursor:
            # Bench data only: this session's commits do not wait for the WAL flush (a crash loses at most the
            # last chunks, and the resume starts after the last one recorded).
            cursor.execute("SET synchronous_commit = off")
        for _k in range(first_chunk, total_chunks):
            while True:
                try:
                    item = built.get(timeout=5)
                    break
                except queue.Empty:
                    if not producer.is_alive():
                        raise SystemExit("the producer process died") from None
            if item[0] == "failed":
                raise SystemExit(f"the producer process failed:\n{item[1]}")
            write_chunk(*item)
        producer.join()
    rows_total = done["rows"]
    if keys is not None:
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")  # index builds sort in memory
            built_keys = keys.build(cursor)
            cursor.execute("RESET maintenance_work_mem")
        if built_keys:
            slowest = ", ".join(f"{n} {s:.0f} s" for n, s in sorted(built_keys, key=lambda x: -x[1])[:3])
            print(f"  {len(built_keys)} secondary indexes and foreign keys built in {time.monotonic() - t0:.1f} s "
                  f"(slowest: {slowest})")
    # The rows went in by COPY/executemany, past the services: the board's counts are recounted from them.
    from tiaokuai.whistles.services.counts import recount

    recount_started = time.monotonic()
    recount()
    print(f"  board counts recounted in {time.monotonic() - recount_started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As after any bulk load: VACUUM sets the visibility map (index-only scans need it; autovacuum would
            # get there later) and ANALYZE gives the planner fresh statistics.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")  # fresh statistics for the planner
    spent = time.monotonic() - gen_started
    counts_now = {m.__name__: m.objects.count() for m in (Whistle, Dispatch, Escalation, AuditEvent, Notification)}
    print(f"done: {rows_total:,} rows in {spent:.1f} s ({rows_total / max(spent, 1e-9):,.0f} rows/s); "
          f"total with the demo load {time.monotonic() - started:.1f} s")
    print("  tables now: " + ", ".join(f"{k} {v:,}" for k, v in counts_now.items()))
    by_status = dict(Whistle.objects.values_list("status").order_by().annotate(n=django.db.models.Count("id")))
    print(f"  whistles by status: {by_status}")


if __name__ == "__main__":
    main()
