"""Clocks: deadlines as data.

A mechanism declares its clocks once and never writes deadline arithmetic itself:

- `DeadlineSpec(amount, unit)` — "2 个工作时", "5 个工作日", "15 日", "1 个月" — and `spec.due(start)`;
- `ClockState` with the pure life-cycle functions `start / pause / resume / stop / result`;
- `StepClocks` — a row's sequential step deadlines (respond → arrive → resolve …): the pending step in
  Python (`pending(row)`) *and* the same rule in SQL (`annotations()`, `pending_q()`, `overdue_q(now)`,
  `order_by_due()`), so pages, sweeps and list ordering share one definition (a test holds them equal);
- `OverdueMinutes(now)` — fast "minutes from due to now" for thousands of rows in one sweep tick.

Calendar rules (working days per core.worktime: CalendarDay overrides, the official arrangement with its
调休 make-up days, weekdays for unknown years):

- working minutes: office minutes (worktime.add_working_minutes); natural minutes: clock minutes.
- natural days / months (行政处罚法第八十五条, 民法典第二百零一条至第二百零三条): the start day is not counted;
  the period ends at the end of its last day. Months end on the same day number N months later, clamped
  to the month's last day (01-31 + 1 month = 02-28/29). With `holiday_rollover` (the default) a last day
  that is not a working day moves to the next working day. "The end of a day" is the last instant before
  the next midnight, 23:59:59.999999 Asia/Shanghai (shown as 23:59, read as "当日二十四时"): a deadline is
  missed when `due <= now` stops being false, i.e. from 00:00 of the following day.
- working days ("5 个工作日内"): the start day is not counted; the period ends at the close of office hours
  (17:30 by default, "有业务时间的，停止业务活动的时间为截止时间") on the N-th working day after the start
  day. A start on a holiday or after hours counts the same way (day 1 is the next working day).
- Pauses are measured in the clock's own time — working minutes for working units, natural minutes for
  natural units — and resuming moves the due time by that much in the same time (no second roll-over).
"""

import datetime as dt
import enum
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Case, CharField, DateTimeField, F, OrderBy, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, npgettext

from . import worktime
from .errors import Conflict

TZ = worktime.TZ
END_OF_DAY = dt.time(23, 59, 59, 999999)


class Unit(models.TextChoices):
    WORKING_MINUTES = "working_minutes", gettext_lazy("working minutes")
    NATURAL_MINUTES = "natural_minutes", gettext_lazy("natural minutes")
    WORKING_DAYS = "working_days", gettext_lazy("working days")
    NATURAL_DAYS = "natural_days", gettext_lazy("natural days")
    MONTHS = "months", gettext_lazy("months")

    @property
    def natural(self) -> bool:
        """True when the clock runs around the clock (its pauses and overdue time are natural minutes)."""
        return self in (Unit.NATURAL_MINUTES, Unit.NATURAL_DAYS, Unit.MONTHS)


def _unit(value: Any) -> Unit:
    return value if isinstance(value, Unit) else Unit(value)


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("clocks need aware datetimes")
    return value.astimezone(TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=TZ)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number `months` later, clamped to that month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class DeadlineSpec:
    """An amount of time in a unit: `DeadlineSpec(5, Unit.WORKING_DAYS).due(start)`."""

    amount: int
    unit: Unit = Unit.WORKING_MINUTES
    holiday_rollover: bool = True  # natural days / months: a last day off moves to the next working day

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", _unit(self.unit))
        if int(self.amount) != self.amount or self.amount < 0:
            raise ValueError("a deadline amount is a whole number, not negative")
        object.__setattr__(self, "amount", int(self.amount))

    @property
    def natural(self) -> bool:
        return self.unit.natural

    def due(self, start: dt.datetime) -> dt.datetime:
        """The deadline of a period starting at `start` (aware), as an aware Asia/Shanghai datetime."""
        local = _local(start)
        n, unit = self.amount, self.unit
        if unit == Unit.WORKING_MINUTES:
            return worktime.add_working_minutes(local, n)
        if unit == Unit.NATURAL_MINUTES:
            return local + dt.timedelta(minutes=n)
        if unit == Unit.WORKING_DAYS:
            close = worktime.office_close()
            day = local.date()
            if n == 0 and local.time() >= close:
                day += dt.timedelta(days=1)
            last = worktime.nth_working_day_after(day, n)
            return dt.datetime.combine(last, close, tzinfo=TZ)
        if unit == Unit.NATURAL_DAYS:
            last = local.date() + dt.timedelta(days=n)
        else:
            last = add_months(local.date(), n)
        if self.holiday_rollover:
            last = worktime.working_day_on_or_after(last)
        return end_of_day(last)

    def label(self) -> str:
        """ "2 个工作时" / "30 分钟（工作时间）" / "5 个工作日" / "15 日" / "1 个月" in the active language."""
        n, unit = self.amount, self.unit
        if unit in (Unit.WORKING_MINUTES, Unit.NATURAL_MINUTES):
            working = unit == Unit.WORKING_MINUTES
            if n and n % 60 == 0:
                hours = n // 60
                if working:
                    return npgettext(
                        "deadline", "%(count)d working hour", "%(count)d working hours", hours
                    ) % {"count": hours}
                return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
            if working:
                return npgettext("deadline", "%(count)d working minute", "%(count)d working minutes", n) % {
                    "count": n
                }
            return ngettext("%(count)d minute", "%(count)d minutes", n) % {"count": n}
        if unit == Unit.WORKING_DAYS:
            return ngettext("%(count)d working day", "%(count)d working days", n) % {"count": n}
        if unit == Unit.NATURAL_DAYS:
            return npgettext("deadline", "%(count)d day", "%(count)d days", n) % {"count": n}
        return npgettext("deadline", "%(count)d month", "%(count)d months", n) % {"count": n}

    def __str__(self) -> str:
        return self.label()


# ---------------------------------------------------------------------------------------------
# Measuring in a clock's own time


def elapsed(start: dt.datetime, end: dt.datetime, unit: Unit | str) -> int:
    """Minutes from start to end in the clock's time (working minutes for working units, natural minutes
    otherwise); negative when end is before start. Whole minutes, rounded towards zero."""
    if _unit(unit).natural:
        seconds = (end - start).total_seconds()
        return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60)
    return worktime.working_minutes_between(start, end)


def shift(value: dt.datetime, minutes: int, unit: Unit | str) -> dt.datetime:
    """`value` moved later by `minutes` of the clock's time (0 or less: unchanged)."""
    if minutes <= 0:
        return value
    if _unit(unit).natural:
        return value + dt.timedelta(minutes=minutes)
    return worktime.add_working_minutes(value, minutes)


# ---------------------------------------------------------------------------------------------
# One clock's life cycle (pure functions over a small state)


class ClockStatus(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"


@dataclass(frozen=True)
class ClockState:
    started_at: dt.datetime
    due_at: dt.datetime
    unit: Unit = Unit.WORKING_MINUTES
    paused_since: dt.datetime | None = None
    paused_total: int = 0  # minutes in the clock's time (see `elapsed`)
    stopped_at: dt.datetime | None = None
    pause_reason: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", _unit(self.unit))


@dataclass(frozen=True)
class ClockResult:
    status: ClockStatus
    minutes: int  # signed, in the clock's time: > 0 time left / finished early, < 0 overdue / late
    label: str
    due_at: dt.datetime

    @property
    def overdue(self) -> bool:
        return self.status == ClockStatus.MISSED


def start(spec: DeadlineSpec, at: dt.datetime) -> ClockState:
    return ClockState(started_at=at, due_at=spec.due(at), unit=spec.unit)


def pause(state: ClockState, at: dt.datetime, reason: str = "") -> ClockState:
    if state.stopped_at is not None:
        raise Conflict(_("The clock has stopped."), code="clock_stopped")
    if state.paused_since is not None:
        raise Conflict(_("The clock is already paused."), code="clock_paused")
    return replace(state, paused_since=at, pause_reason=reason)


def resume(state: ClockState, at: dt.datetime) -> ClockState:
    """Restart a paused clock; its due time moves by the paused span in the clock's time."""
    if state.paused_since is None or state.stopped_at is not None:
        raise Conflict(_("The clock is not paused."), code="clock_not_paused")
    paused = max(0, elapsed(state.paused_since, at, state.unit))
    return replace(
        state,
        due_at=shift(state.due_at, paused, state.unit),
        paused_since=None,
        paused_total=state.paused_total + paused,
        pause_reason="",
    )


def stop(state: ClockState, at: dt.datetime) -> ClockState:
    """Stop the clock (the work is done). A paused clock is resumed first (its pause counts)."""
    if state.stopped_at is not None:
        raise Conflict(_("The clock has stopped."), code="clock_stopped")
    if state.paused_since is not None:
        state = resume(state, at)
    return replace(state, stopped_at=at)


def result(state: ClockState, now: dt.datetime) -> ClockResult:
    """met / missed (stopped: by how much; running: overdue by how much) / running (time left) / paused."""
    natural = state.unit.natural
    due = state.due_at
    if state.stopped_at is not None:
        minutes = elapsed(state.stopped_at, due, state.unit)
        met = state.stopped_at <= due
        duration = worktime.duration_label(abs(minutes), natural=natural)
        label = (_("%(duration)s early") if met else _("%(duration)s late")) % {"duration": duration}
        return ClockResult(ClockStatus.MET if met else ClockStatus.MISSED, minutes, label, due)
    if state.paused_since is not None:
        return ClockResult(ClockStatus.PAUSED, elapsed(state.paused_since, due, state.unit), _("Paused"), due)
    minutes = worktime.remaining_minutes(now, due, natural=natural)
    label = worktime.remaining_label(now, due, natural=natural)
    return ClockResult(ClockStatus.RUNNING if due > now else ClockStatus.MISSED, minutes, label, due)


# ---------------------------------------------------------------------------------------------
# Sequential step clocks: one rule, in Python and in SQL


@dataclass(frozen=True)
class Step:
    """One step: pending while `done_field` is empty; `done_field=None` means it is pending until the row
    leaves the pending states (the last step of a flow whose status says when it is done)."""

    name: str
    due_field: str
    done_field: str | None = None


@dataclass(frozen=True)
class StepClocks:
    """A row's steps in order; the pending step is the first not done while the row's status is one of
    `pending_states` and it is not paused (`paused_field` empty)."""

    steps: tuple[Step, ...]
    pending_states: frozenset[str]
    status_field: str = "status"
    paused_field: str | None = None
    fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pending_states", frozenset(str(s) for s in self.pending_states))
        names = [self.status_field] + ([self.paused_field] if self.paused_field else [])
        for s in self.steps:
            names += [s.due_field] + ([s.done_field] if s.done_field else [])
        object.__setattr__(self, "fields", tuple(dict.fromkeys(names)))

    # -- Python

    def row(self, obj: Any) -> dict[str, Any]:
        """The fields the rule reads, from a model instance (or any object with those attributes)."""
        return {f: getattr(obj, f) for f in self.fields}

    def pending(self, row: Mapping[str, Any]) -> tuple[str, dt.datetime | None] | None:
        """(step name, its due time) of the first step not done, or None (nothing pending / paused)."""
        if str(row[self.status_field]) not in self.pending_states:
            return None
        if self.paused_field and row.get(self.paused_field):
            return None
        for s in self.steps:
            if s.done_field is None or not row.get(s.done_field):
                return s.name, row.get(s.due_field)
        return None

    def is_overdue(self, row: Mapping[str, Any], now: dt.datetime) -> bool:
        step = self.pending(row)
        return step is not None and step[1] is not None and step[1] <= now

    # -- SQL

    def running_q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}{self.status_field}__in": sorted(self.pending_states)})
        if self.paused_field:
            q &= Q(**{f"{prefix}{self.paused_field}__isnull": True})
        return q

    def _step_terms(self, prefix: str = "") -> list[tuple[Step, Q]]:
        """(step, "the earlier steps are done and this one is not"), in order — without the running condition."""
        out = []
        earlier_done = Q()
        for s in self.steps:
            if s.done_field is None:
                out.append((s, earlier_done))
                break
            out.append((s, earlier_done & Q(**{f"{prefix}{s.done_field}__isnull": True})))
            earlier_done &= Q(**{f"{prefix}{s.done_field}__isnull": False})
        return out

    def _step_qs(self, prefix: str = "") -> list[tuple[Step, Q]]:
        """(step, condition for "this step is the pending one"), in order (the first match wins)."""
        running = self.running_q(prefix)
        return [(s, running & q) for s, q in self._step_terms(prefix)]

    def pending_q(self, prefix: str = "") -> Q:
        """Rows (or `prefix`-related rows) with a pending step."""
        return reduce(operator.or_, [q for _s, q in self._step_qs(prefix)])

    def overdue_q(self, now: dt.datetime, prefix: str = "") -> Q:
        """Rows whose pending step is due at or before `now` — exactly `is_overdue(row, now)`. The running condition
        stands once, outside the steps' OR (a planner then reads it as one index condition, not as a product of
        selectivities)."""
        return self.running_q(prefix) & reduce(
            operator.or_, [q & Q(**{f"{prefix}{s.due_field}__lte": now}) for s, q in self._step_terms(prefix)]
        )

    def step_expression(self) -> Case:
        return Case(
            *[When(q, then=Value(s.name)) for s, q in self._step_qs()],
            default=Value(""),
            output_field=CharField(),
        )

    def due_expression(self) -> Case:
        return Case(
            *[When(q, then=F(s.due_field)) for s, q in self._step_qs()],
            default=None,
            output_field=DateTimeField(),
        )

    def annotations(self, step: str = "step", due: str = "due") -> dict[str, Any]:
        """`step` (name, "" when nothing is pending) and `due` (NULL then) for `.annotate(**…)`."""
        return {step: self.step_expression(), due: self.due_expression()}

    def order_by_due(self, *, descending: bool = False) -> OrderBy:
        """The most urgent first (earliest pending due), rows with nothing pending last."""
        return OrderBy(self.due_expression(), descending=descending, nulls_last=True)


# ---------------------------------------------------------------------------------------------
# Overdue minutes for many rows at once (sweeps)


class OverdueMinutes:
    """Minutes from a deadline to `now` in a clock's time, for thousands of deadlines in one sweep tick
    (0 when not yet due; equal to `elapsed(due, now, unit)`). Natural time is plain arithmetic; for working
    time the part on the deadline's own day is integer arithmetic over the office hours (in microseconds),
    the whole days from the next midnight to today's are counted once per day, today's part once."""

    _US = 60_000_000  # microseconds in a minute

    def __init__(self, now: dt.datetime) -> None:
        self.now = _local(now)
        self.periods = [
            ((a.hour * 60 + a.minute) * self._US, (b.hour * 60 + b.minute) * self._US)
            for a, b in worktime.work_periods()
        ]
        self.days = worktime.DayClassifier()
        self.working: dict[dt.date, bool] = {}
        self.rest: dict[dt.date, int] = {}
        self._now_us = self._of_day(self.now)
        self._today = self._within_day(self.now.date(), 0, self._now_us)

    @staticmethod
    def _of_day(value: dt.datetime) -> int:
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond

    def _within_day(self, day: dt.date, start: int, end: int) -> int:
        working = self.working.get(day)
        if working is None:
            working = self.working[day] = self.days.working(day)
        if not working:
            return 0
        return sum(max(0, min(b, end) - max(a, start)) for a, b in self.periods)

    def minutes(self, due: dt.datetime, unit: Unit | str | bool = Unit.WORKING_MINUTES) -> int:
        """`unit` may also be a bool: True = natural time."""
        natural = unit if isinstance(unit, bool) else _unit(unit).natural
        if natural:
            return max(0, int((self.now - due).total_seconds() // 60))
        local = due.astimezone(TZ)
        if local >= self.now:
            return 0
        day = local.date()
        start = self._of_day(local)
        if day == self.now.date():
            return self._within_day(day, start, self._now_us) // self._US
        head = self._within_day(day, start, 24 * 60 * self._US)
        rest = self.rest.get(day)
        if rest is None:  # whole days from the next midnight to today's midnight, once per day
            after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)
            today = dt.datetime.combine(self.now.date(), dt.time(0), tzinfo=TZ)
            rest = self.rest[day] = worktime.working_minutes_between(after, today) * self._US
        return (head + rest + self._today) // self._US


def specs(amounts: Iterable[int], unit: Unit | str) -> tuple[DeadlineSpec, ...]:
    """DeadlineSpecs of one unit, e.g. a flow's (respond, arrive, resolve) minutes."""
    return tuple(DeadlineSpec(a, _unit(unit)) for a in amounts)
