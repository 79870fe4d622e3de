"""The audit log: one append-only table, one event per state change, written only from here:
`log` for one event (services, through core.workflow), `log_many` for the bulk paths (sweeps, demo
history)."""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .middleware import current_request_id
from .models import AuditEvent


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def log(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One event about `obj`, in the caller's transaction (the same plain INSERT as `log_many`: every state
    change writes one, so it skips the ORM's per-call SQL compilation)."""
    log_many([Event(at=timezone.now(), actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
                    action=action, object_type=object_type_of(obj), object_id=str(obj.pk),
                    object_repr=str(obj), before=before, after=after)])


@dataclass
class Event:
    """One audit event for `log_many` (ids instead of objects: bulk paths have rows, not instances)."""

    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


COLUMNS = ["at", "actor_id", "action", "object_type", "object_id", "object_repr", "before", "after", "request_id"]


_JSON = DjangoJSONEncoder(ensure_ascii=False)  # one encoder for every event (dates, decimals, UUIDs as text)


def log_many(events: Sequence[Event]) -> None:
    """Insert many events in one executemany (several times cheaper per row than the ORM's bulk_create;
    nothing needs their ids back). Times are adapted once per distinct value: a sweep's events share one."""
    if not events:
        return
    request_id = current_request_id()
    adapt = connection.ops.adapt_datetimefield_value
    times: dict[dt.datetime, Any] = {}

    def at(value: dt.datetime) -> Any:
        hit = times.get(value)
        if hit is None:
            hit = times[value] = adapt(value)
        return hit

    def as_json(value: dict[str, Any] | None) -> str | None:
        return None if value is None else _JSON.encode(value)

    rows = [(at(e.at), e.actor_id, e.action[:80], e.object_type, str(e.object_id), e.object_repr[:200],
             as_json(e.before), as_json(e.after), request_id) for e in events]
    insert_rows(AuditEvent, COLUMNS, rows)


def insert_rows(model: type[models.Model], columns: list[str], rows: Sequence[tuple]) -> None:
    """Plain multi-row INSERT through the DB-API (executemany) of already adapted values."""
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (quoted model metadata, no user input)
        qn(model._meta.db_table), ", ".join(qn(fields[c]) for c in columns), ", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def timeline(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """JSON-safe view of some fields, for before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out


# ---------------------------------------------------------------------------------------------
# Tamper evidence: a hash chain over the events, sealed by a sweep, checked by `tiaokuai audit verify`

SEAL_COLUMNS = ["id", "at", "actor_id", "action", "object_type", "object_id", "object_repr", "before", "after",
                "request_id"]


def _content(row: dict[str, Any]) -> str:
    """The canonical text of an event (stable across SQLite and PostgreSQL: UTC ISO times, sorted keys)."""
    at = row["at"].astimezone(dt.UTC).isoformat()
    return json.dumps([row["id"], at, row["actor_id"], row["action"], row["object_type"], row["object_id"],
                       row["object_repr"], row["before"], row["after"], row["request_id"]],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _seal(previous: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((previous + "\n" + _content(row)).encode()).hexdigest()


def seal_pending(limit: int = 5000) -> int:
    """Seal up to `limit` unsealed events, in id order, onto the end of the chain; the number sealed. One
    sealer at a time (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE); an event that commits late with a
    lower id is simply sealed in a later round (the chain's order is seal_seq, not id)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(7469616)")
        last = (AuditEvent.objects.filter(seal_seq__isnull=False).order_by("-seal_seq")
                .values_list("seal_seq", "seal").first())
        seq, previous = last if last else (0, "")
        rows = list(AuditEvent.objects.filter(seal_seq__isnull=True).order_by("id").values(*SEAL_COLUMNS)[:limit])
        updates = []
        for row in rows:
            seq += 1
            previous = _seal(previous, row)
            updates.append((seq, previous, row["id"]))
        if updates:
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {qn(AuditEvent._meta.db_table)} SET {qn('seal_seq')} = %s, {qn('seal')} = %s "  # noqa: S608
                    f"WHERE {qn('id')} = %s AND {qn('seal_seq')} IS NULL", updates)
        return len(updates)


def seal_sweep(now: dt.datetime) -> dict[str, int]:
    """The worker's sweep: seal what has been written since the last tick, within the tick's time budget."""
    from . import sweeps

    sealed = 0
    while not sweeps.out_of_time():
        n = seal_pending()
        sealed += n
        if n == 0:
            break
    return {"sealed": sealed}


@dataclass
class Problem:
    kind: str  # "edited" | "missing" | "unsealed"
    seal_seq: int | None
    event_id: int | None
    detail: str = ""


def verify(chunk: int = 5000) -> tuple[int, list[Problem]]:
    """Walk the chain in seal order and recompute every seal: (events checked, problems). An edited event breaks
    its own seal; a deleted one leaves a gap in seal_seq. Events not sealed yet are reported apart."""
    problems: list[Problem] = []
    previous, expected, checked = "", 1, 0
    qs = AuditEvent.objects.filter(seal_seq__isnull=False).order_by("seal_seq").values(*SEAL_COLUMNS, "seal_seq",
                                                                                      "seal")
    for row in qs.iterator(chunk_size=chunk):
        gap = row["seal_seq"] != expected
        if gap:  # the seal before this one is gone: this one cannot be checked against it
            problems.append(Problem("missing", expected, None,
                                    f"seal_seq {expected}–{row['seal_seq'] - 1}"))
        elif _seal(previous, row) != row["seal"]:
            problems.append(Problem("edited", row["seal_seq"], row["id"], f"{row['action']} {row['object_type']}"))
        previous, expected = row["seal"], row["seal_seq"] + 1
        checked += 1
    unsealed = AuditEvent.objects.filter(seal_seq__isnull=True).count()
    if unsealed:
        problems.append(Problem("unsealed", None, None, str(unsealed)))
    return checked, problems
