"""Per-kind, per-day numbers: CS-20261123-0001 (whistles), later RQ-… (requests), AJ-… (cases).

A number is PREFIX-YYYYMMDD-NNNN, the day being the Asia/Shanghai date of the moment given. Four digits as a
rule; from the 10,000th number of a day on, "Z" before the sequence (CS-20261123-Z10000) keeps the numbers of
a day sorting as text in the order they were given.

Race-free without retries: `next_number` increments the (prefix, day) row of core.NumberCounter with one
`UPDATE … SET last = last + 1 … RETURNING last`. Call it inside the transaction that writes the numbered
row: the row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) is held until that commit, so two
writers never get the same number, and a rolled-back write gives its number back.
"""

import datetime as dt
import re
from collections.abc import Mapping
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

    used_in=(Model, "field"): where numbers of this prefix are stored. On the first number of a day (no
    counter row yet) the sequence continues after the highest number already stored there that day (rows
    loaded in bulk, or numbered before the counter existed)."""
    _check_prefix(prefix)
    day = local_day(at)
    with transaction.atomic(savepoint=False):
        seq = _increment(prefix, day)
        if seq is None:
            # First number of the day: create the row. Two first callers at once: one insert wins, the other is
            # ignored (on PostgreSQL it waits for the winner's commit), and the UPDATE serialises them on the row.
            start = _highest_stored(prefix, day, used_in) if used_in is not None else 0
            NumberCounter.objects.bulk_create([NumberCounter(prefix=prefix, day=day, last=start)],
                                              ignore_conflicts=True)
            seq = _increment(prefix, day)
            if seq is None:  # pragma: no cover - the row was just ensured inside this transaction
                raise RuntimeError(f"number counter row {prefix} {day} missing")
    return format_number(prefix, day, seq)


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


def last_used(prefix: str, day: dt.date) -> int:
    """The last sequence given for `prefix` on `day` (0 when none)."""
    return NumberCounter.objects.filter(prefix=prefix, day=day).values_list("last", flat=True).first() or 0


def _highest_stored(prefix: str, day: dt.date, used_in: tuple[type[models.Model], str]) -> int:
    model, field = used_in
    head = f"{prefix}-{day:%Y%m%d}-"
    # "~" sorts after digits and "Z": every number of the day lies in [head, head + "~").
    last = (model._default_manager.filter(**{f"{field}__gte": head, f"{field}__lt": head + "~"})
            .order_by(f"-{field}").values_list(field, flat=True).first())
    return parse_sequence(last) if last else 0


def _increment(prefix: str, day: dt.date) -> int | None:
    """UPDATE … SET last = last + 1 … RETURNING last: one statement that takes the row lock (PostgreSQL) and
    returns the new value (SQLite ≥ 3.35 and PostgreSQL both support RETURNING). None when the row is missing."""
    qn = connection.ops.quote_name
    table = qn(NumberCounter._meta.db_table)
    prefix_col, day_col, last_col = qn("prefix"), qn("day"), qn("last")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {last_col} = {last_col} + 1 "  # noqa: S608 - quoted names only
                       f"WHERE {prefix_col} = %s AND {day_col} = %s RETURNING {last_col}",
                       [prefix, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return int(row[0]) if row else None
