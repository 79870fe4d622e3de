"""Per-kind, per-day numbers: CS-20261123-0001 (whistles), later RQ-… (requests), AJ-… (cases).

A number is PREFIX-YYYYMMDD-NNNN, the day being the Asia/Shanghai date of the moment given. Four digits as a
rule; from the 10,000th number of a day on, "Z" before the sequence (CS-20261123-Z10000) keeps the numbers of
a day sorting as text in the order they were given.

Race-free without retries. On PostgreSQL the SQL function core_next_number (core migration 0007, ADR 0017) gives
the number: a kind with its own sequence (`core_number_<prefix>`, made by the migration of the app that numbers with
it) takes `nextval - base`, where `base` on the day's core.NumberCounter row is set once, by the day's first number
(one writer at a time, so the day starts after the highest number stored or advanced) — no lock is held to commit,
and a number given to a write that rolls back later in the day stays unused (a gap). A kind without a sequence
increments the day's counter row (`INSERT … ON CONFLICT DO UPDATE SET last = last + 1`), whose row lock is held
until the caller's commit: gapless, one writer at a time. On SQLite, where the IMMEDIATE transaction already
serialises every writer, a number stored in a table (`used_in`) is the next after the highest of the day stored
there (or after the counter row, which bulk loaders `advance`): nothing is written for it, and nothing is lost
to a rollback.

`numbered(...)` gives the same number as SQL for the INSERT that stores the row (core.inserts.insert(number=…)):
the number costs no statement of its own (ADR 0015).
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction

from .models import NumberCounter

TZ = ZoneInfo("Asia/Shanghai")
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")
OVERFLOW = "Z"  # before sequences of five digits and more


def _check_prefix(prefix: str) -> None:
    if not PREFIX_RE.match(prefix or ""):
        raise ValueError(f"number prefix must be 1–16 capital letters or digits, got {prefix!r}")


def local_day(at: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of a moment (a naive moment is taken as Shanghai time)."""
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(TZ).date()


def format_number(prefix: str, day: dt.date, seq: int) -> str:
    head = f"{prefix}-{day:%Y%m%d}-"
    return f"{head}{seq:04d}" if seq < 10000 else f"{head}{OVERFLOW}{seq}"


def parse_sequence(number: str) -> int:
    """The sequence of a number (CS-20261123-0042 → 42, CS-20261123-Z10000 → 10000)."""
    return int(number.rsplit("-", 1)[-1].lstrip(OVERFLOW))


def next_number(prefix: str, at: dt.datetime, *, used_in: tuple[type[models.Model], str] | None = None) -> str:
    """The next number of `prefix` on the Asia/Shanghai day of `at`. Call it inside the transaction that
    writes the numbered row.

    used_in=(Model, "field"): where numbers of this prefix are stored — the same SQL as `numbered`: the first
    number of a day continues after the highest already stored there (rows loaded in bulk, or numbered before
    the counter existed)."""
    _check_prefix(prefix)
    day = local_day(at)
    with transaction.atomic(savepoint=False):
        if used_in is not None or connection.vendor == "postgresql":
            n = numbered(prefix, at, used_in)
            with connection.cursor() as cursor:
                cursor.execute(f"{'WITH ' + n.with_sql + ' ' if n.with_sql else ''}SELECT {n.value_sql}",  # noqa: S608
                               [*n.with_params, *n.value_params])  # the module's own SQL
                return str(cursor.fetchone()[0])
        seq = _increment(prefix, day)
        if seq is None:
            _ensure_counter(prefix, day)
            seq = _increment(prefix, day)
            if seq is None:  # pragma: no cover - the row was just ensured inside this transaction
                raise RuntimeError(f"number counter row {prefix} {day} missing")
    return format_number(prefix, day, seq)


def _ensure_counter(prefix: str, day: dt.date) -> None:
    """The first number of the day: create the counter row. Two first callers at once: one insert wins, the other
    is ignored (on PostgreSQL it waits for the winner's commit), and the UPDATE serialises them on the row."""
    NumberCounter.objects.bulk_create([NumberCounter(prefix=prefix, day=day, last=0)], ignore_conflicts=True)


@dataclass(frozen=True)
class Numbered:
    """The next number as SQL for the INSERT that stores it: `WITH <with_sql> INSERT … VALUES (…, <value_sql>)`."""

    field: str
    with_sql: str
    with_params: tuple
    value_sql: str
    value_params: tuple


def numbered(prefix: str, at: dt.datetime, used_in: tuple[type[models.Model], str] | None) -> Numbered:
    """The next number of `prefix` on the day of `at`, stored in used_in=(Model, "field"), as SQL (see Numbered).
    Inside the transaction that writes the row. used_in=None (PostgreSQL only): numbers stored nowhere."""
    _check_prefix(prefix)
    day = local_day(at)
    head = f"{prefix}-{day:%Y%m%d}-"
    day_value = connection.ops.adapt_datefield_value(day)
    if connection.vendor == "postgresql":
        table = column = None
        if used_in is not None:
            table, column = used_in[0]._meta.db_table, used_in[0]._meta.get_field(used_in[1]).column
        return Numbered(
            used_in[1] if used_in else "", "", (),
            "(SELECT %s || CASE WHEN seq < 10000 THEN lpad(seq::text, 4, '0') ELSE %s || seq::text END "
            "FROM (SELECT core_next_number(%s, %s, %s, %s, %s) AS seq) AS next_number)",
            (head, OVERFLOW, prefix, day_value, table, column, head))
    if used_in is None:  # pragma: no cover - next_number() counts on the row itself on SQLite
        raise ValueError("numbered() needs used_in on SQLite")
    model, field = used_in
    qn = connection.ops.quote_name
    counter = qn(NumberCounter._meta.db_table)
    table, column = qn(model._meta.db_table), qn(model._meta.get_field(field).column)
    # SQLite: the writer holds the database's write lock from BEGIN IMMEDIATE to commit; the counter row is only
    # a floor that bulk loaders may have advanced. Within a day, numbers sort as text in the order given ("Z"
    # before five digits): the highest stored is the last of the unique index in [head, head + "~").
    highest = (f"COALESCE((SELECT CAST(ltrim(substr({column}, {len(head) + 1}), %s) AS INTEGER) "  # noqa: S608
               f"FROM {table} WHERE {column} >= %s AND {column} < %s ORDER BY {column} DESC LIMIT 1), 0)")
    return Numbered(
        field, "", (),
        f"(SELECT %s || CASE WHEN seq < 10000 THEN printf('%%04d', seq) ELSE %s || seq END FROM (SELECT MAX("  # noqa: S608
        f"{highest}, COALESCE((SELECT {qn('last')} FROM {counter} WHERE {qn('prefix')} = %s "
        f"AND {qn('day')} = %s), 0)) + 1 AS seq))",
        (head, OVERFLOW, OVERFLOW, head, head + "~", prefix, day_value))


def advance(prefix: str, last_by_day: Mapping[dt.date, int]) -> None:
    """For bulk loaders: later numbers of `prefix` on each day continue after the given last sequence (a
    counter never goes back)."""
    _check_prefix(prefix)
    if not last_by_day:
        return
    existing = dict(NumberCounter.objects.filter(prefix=prefix, day__in=list(last_by_day))
                    .values_list("day", "last"))
    NumberCounter.objects.bulk_create([NumberCounter(prefix=prefix, day=day, last=last)
                                       for day, last in sorted(last_by_day.items()) if day not in existing],
                                      ignore_conflicts=True)
    for day, last in existing.items():
        if last < last_by_day[day]:
            NumberCounter.objects.filter(prefix=prefix, day=day, last__lt=last_by_day[day]).update(
                last=last_by_day[day])
    # PostgreSQL, a day whose numbers already come from the sequence: lower its base so that the next value is past
    # the load (nextval - base > last). Bulk loaders run on a quiet database.
    started = NumberCounter.objects.filter(prefix=prefix, day__in=list(last_by_day), base__isnull=False)
    if connection.vendor == "postgresql" and started.exists():
        sequence = connection.ops.quote_name(sequence_name(prefix))
        with connection.cursor() as cursor:
            for day in started.values_list("day", flat=True):
                cursor.execute(f"UPDATE {connection.ops.quote_name(NumberCounter._meta.db_table)} "  # noqa: S608
                               f"SET base = LEAST(base, (SELECT last_value FROM {sequence}) - %s) "
                               "WHERE prefix = %s AND day = %s", [last_by_day[day], prefix, day])


def sequence_name(prefix: str) -> str:
    """PostgreSQL: the sequence a kind's numbers come from, made by the migration of the app numbering with it
    (`CREATE SEQUENCE IF NOT EXISTS core_number_cs`); without it, the kind is numbered by its counter rows."""
    _check_prefix(prefix)
    return f"core_number_{prefix.lower()}"


def last_used(prefix: str, day: dt.date) -> int:
    """The last sequence given for `prefix` on `day` (0 when none)."""
    return NumberCounter.objects.filter(prefix=prefix, day=day).values_list("last", flat=True).first() or 0


def _increment(prefix: str, day: dt.date) -> int | None:
    """SQLite (PostgreSQL counts in core_next_number): UPDATE … SET last = last + 1 … RETURNING last, one statement
    that returns the new value. None when the row is missing."""
    qn = connection.ops.quote_name
    table = qn(NumberCounter._meta.db_table)
    prefix_col, day_col, last_col = qn("prefix"), qn("day"), qn("last")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {last_col} = {last_col} + 1 "  # noqa: S608 - quoted names only
                       f"WHERE {prefix_col} = %s AND {day_col} = %s RETURNING {last_col}",
                       [prefix, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def sequence_operation(prefix: str) -> Any:
    """The migration operation that gives a kind its sequence on PostgreSQL (nothing on SQLite); see ADR 0017."""
    from django.db import migrations

    name = sequence_name(prefix)

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP SEQUENCE IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
