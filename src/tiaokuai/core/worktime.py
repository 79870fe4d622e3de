"""Working time on the official Chinese calendar: holidays, make-up working days (调休), office hours.

A day is a working day according to, in order:
1. the CalendarDay override table (edited by the establishment office on the calendar page);
2. the `chinese_calendar` package (official State Council arrangements, known years only);
3. a weekday fallback (Monday–Friday) for years the package does not know yet.

All inputs are aware datetimes; everything is computed in Asia/Shanghai and returned as aware
datetimes in that zone. Arithmetic is constant time per call whatever the span: each year's working days
are indexed once per set of overrides (how many fall on or before each day, and which they are), so whole
days are counted or skipped by look-up, and only the two end days are walked by their office hours. The
package lookup is cached per day, the override table is read once per year per call (and cached briefly
outside tests).
"""

import datetime as dt
import time as _time
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TZ = ZoneInfo("Asia/Shanghai")

# Default office hours: 08:30–12:00 and 14:00–17:30, 7 hours a day.
WORK_PERIODS = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))

_MAX_DAYS_SEARCHED = 3660  # ten years without a working day means the calendar is broken


# ---------------------------------------------------------------------------------------------
# Configuration


def work_periods() -> tuple[tuple[time, time], ...]:
    periods: Any = settings.TIAOKUAI.get("WORK_PERIODS", WORK_PERIODS)
    return tuple((_as_time(a), _as_time(b)) for a, b in periods)


def _as_time(value) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def _period_minutes(a: time, b: time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def minutes_per_day() -> int:
    return sum(_period_minutes(a, b) for a, b in work_periods())


# ---------------------------------------------------------------------------------------------
# Which days are working days


@lru_cache(maxsize=8192)
def _official(day: date) -> bool | None:
    """The package's answer, or None when it has no data for that year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@lru_cache(maxsize=64)
def package_knows_year(year: int) -> bool:
    return _official(date(year, 1, 1)) is not None


def official_holiday_detail(day: date) -> tuple[bool, str | None] | None:
    """(is_holiday, Chinese holiday name such as 春节 or None) from the package, None when the year
    is unknown. Make-up working days carry the name of the holiday they belong to."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name:
        try:
            name = Holiday(name).chinese
        except ValueError:
            pass
    return bool(is_holiday), name


_override_cache: dict[int, tuple[float, dict[date, bool]]] = {}


def _cache_seconds() -> float:
    if getattr(settings, "TESTING", False):
        return 0  # tests roll back their rows; a cache would outlive them
    seconds: Any = settings.TIAOKUAI.get("CALENDAR_CACHE_SECONDS", 60)
    return float(seconds)


def clear_cache() -> None:
    """Forget cached overrides (called by the calendar services after a change)."""
    _override_cache.clear()


def _overrides_for_year(year: int) -> dict[date, bool]:
    ttl = _cache_seconds()
    if ttl > 0:
        hit = _override_cache.get(year)
        if hit is not None and hit[0] > _time.monotonic():
            return hit[1]
    from .models import CalendarDay

    rows = dict(
        CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).values_list(
            "date", "is_working"
        )
    )
    if ttl > 0:
        _override_cache[year] = (_time.monotonic() + ttl, rows)
    return rows


class _Year:
    """One year's working days as an index: `upto[i]` is how many working days fall on or before day i of the
    year (0-based), `ordinals` the working days in order. Built once per (year, overrides) and shared."""

    __slots__ = ("first", "ordinals", "total", "upto")

    def __init__(self, year: int, working: Any) -> None:
        self.first = date(year, 1, 1).toordinal()
        upto: list[int] = []
        ordinals: list[int] = []
        for ordinal in range(self.first, date(year, 12, 31).toordinal() + 1):
            if working(date.fromordinal(ordinal)):
                ordinals.append(ordinal)
            upto.append(len(ordinals))
        self.upto = upto
        self.ordinals = ordinals
        self.total = len(ordinals)

    def through(self, day: date) -> int:
        """Working days of this year on or before `day`."""
        return self.upto[day.toordinal() - self.first]


_year_index: dict[tuple[int, frozenset], _Year] = {}


class _Days:
    """Day classifier for one calculation: reads each year's overrides at most once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[date, bool]] = {}
        self._index: dict[int, _Year] = {}

    def _overrides(self, year: int) -> dict[date, bool]:
        overrides = self._years.get(year)
        if overrides is None:
            overrides = self._years[year] = _overrides_for_year(year)
        return overrides

    def working(self, day: date) -> bool:
        value = self._overrides(day.year).get(day)
        if value is not None:
            return value
        official = _official(day)
        if official is not None:
            return official
        return day.weekday() < 5

    def year(self, year: int) -> _Year:
        """The year's index (cached for the same overrides, so an edit on the calendar page is seen)."""
        hit = self._index.get(year)
        if hit is None:
            key = (year, frozenset(self._overrides(year).items()))
            hit = _year_index.get(key)
            if hit is None:
                if len(_year_index) > 256:
                    _year_index.clear()
                hit = _year_index[key] = _Year(year, self.working)
            self._index[year] = hit
        return hit

    def between(self, first: date, last: date) -> int:
        """Working days d with first < d <= last (0 when last <= first), in time bounded by the years
        spanned, not the days."""
        if last <= first:
            return 0
        if first.year == last.year:
            y = self.year(first.year)
            return y.through(last) - y.through(first)
        y = self.year(first.year)
        count = y.total - y.through(first)
        for year in range(first.year + 1, last.year):
            count += self.year(year).total
        return count + self.year(last.year).through(last)

    def nth_after(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 1)."""
        y = self.year(day.year)
        left = y.total - y.through(day)
        if n <= left:
            return date.fromordinal(y.ordinals[y.through(day) + n - 1])
        n -= left
        year, empty = day.year + 1, 0
        while True:
            y = self.year(year)
            if n <= y.total:
                return date.fromordinal(y.ordinals[n - 1])
            n -= y.total
            empty = empty + 1 if y.total == 0 else 0
            if empty * 366 >= _MAX_DAYS_SEARCHED:
                raise ValueError("no working day found")
            year += 1


def is_working_day(day: date) -> bool:
    return _Days().working(day)


class DayClassifier(_Days):
    """Public name of the per-calculation day classifier (reads each year's overrides at most once);
    use one for a batch of look-ups."""


def working_day_on_or_after(day: date, classifier: _Days | None = None) -> date:
    """The first working day on or after `day`."""
    days = classifier or _Days()
    return day if days.working(day) else days.nth_after(day, 1)


def nth_working_day_after(day: date, n: int, classifier: _Days | None = None) -> date:
    """The n-th working day after `day` (`day` itself is not counted; n == 0 → the first working day on or
    after `day`)."""
    if n < 0:
        raise ValueError("n must not be negative")
    days = classifier or _Days()
    if n == 0:
        return working_day_on_or_after(day, days)
    return days.nth_after(day, n)


def office_close() -> time:
    """End of the last work period of a working day (17:30 by default): "停止业务活动的时间"."""
    return max(b for _a, b in work_periods())


def calendar_source(year: int) -> str:
    """"override" when the office entered days for the year, "official" when the package knows it,
    "fallback" otherwise (weekdays only: the year's holidays are not published/installed yet)."""
    if _overrides_for_year(year):
        return "override"
    if package_knows_year(year):
        return "official"
    return "fallback"


# ---------------------------------------------------------------------------------------------
# Arithmetic


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("worktime needs aware datetimes")
    return value.astimezone(TZ)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=TZ)


def _segments(day: date) -> Iterator[tuple[datetime, datetime]]:
    for a, b in work_periods():
        yield _at(day, a), _at(day, b)


def _left_in_day(day: date, local: datetime) -> timedelta:
    """Working time of `day` from `local` on (the whole day when `local` is before it)."""
    return sum((max(timedelta(), seg_end - max(seg_start, local)) for seg_start, seg_end in _segments(day)),
               timedelta())


def _done_in_day(day: date, local: datetime) -> timedelta:
    """Working time of `day` up to `local`."""
    return sum((max(timedelta(), min(seg_end, local) - seg_start) for seg_start, seg_end in _segments(day)),
               timedelta())


def _walk(day: date, begin: datetime, remaining: timedelta) -> datetime | None:
    """The instant `remaining` working time after `begin` within `day`, or None when the day has less."""
    for seg_start, seg_end in _segments(day):
        start = max(seg_start, begin)
        if start >= seg_end:
            continue
        available = seg_end - start
        if remaining <= available:
            return start + remaining
        remaining -= available
    return None


def add_working_minutes(start: datetime, minutes: int) -> datetime:
    """The instant when `minutes` working minutes have passed since `start`.

    With minutes == 0 this is the next working instant at or after start. A sum that ends exactly
    at the end of a period stays there (17:30), it does not jump to the next morning. Constant time in
    the length of the period: whole days come from the year's working-day index."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    local = _local(start)
    remaining = timedelta(minutes=minutes)
    full_day = timedelta(minutes=minutes_per_day())
    days = _Days()
    day = local.date()
    if days.working(day):
        found = _walk(day, local, remaining)
        if found is not None:
            return found
        remaining -= _left_in_day(day, local)
    # Whole working days first, then the rest within the last one (a rest of exactly a day ends at close).
    whole = max(0, -(-remaining // full_day) - 1) if remaining > timedelta() else 0
    target = days.nth_after(day, whole + 1)
    found = _walk(target, _at(target, time.min), remaining - whole * full_day)
    if found is None:  # only when the office hours are empty
        raise ValueError("no working day found")
    return found


def next_working_moment(start: datetime) -> datetime:
    return add_working_minutes(start, 0)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time `days` working days later. A start outside working hours is first moved
    to the next working moment (Saturday 10:00 + 1 → Tuesday 08:30)."""
    if days < 0:
        raise ValueError("days must not be negative")
    rolled = next_working_moment(start)
    if days == 0:
        return rolled
    return _at(_Days().nth_after(rolled.date(), days), rolled.time())


def working_minutes_between(start: datetime, end: datetime) -> int:
    """Working minutes from start to end (negative when end is before start), in constant time per pair:
    the two end days by their office hours, the whole days between from the years' working-day index."""
    if end < start:
        return -working_minutes_between(end, start)
    a, b = _local(start), _local(end)
    days = _Days()
    first, last = a.date(), b.date()
    if first == last:
        total = _done_in_day(first, b) - _done_in_day(first, a) if days.working(first) else timedelta()
    else:
        total = timedelta(minutes=minutes_per_day()) * days.between(first, last - timedelta(days=1))
        if days.working(first):
            total += _left_in_day(first, a)
        if days.working(last):
            total += _done_in_day(last, b)
    return int(total.total_seconds() // 60)


def deadline(start: datetime, *, minutes: int, natural: bool = False) -> datetime:
    """Due time `minutes` after start: working minutes, or plain clock minutes when natural
    (emergencies run around the clock)."""
    if natural:
        return _local(start) + timedelta(minutes=minutes)
    return add_working_minutes(start, minutes)


# ---------------------------------------------------------------------------------------------
# Labels


def duration_label(minutes: int, *, natural: bool = False) -> str:
    """"1 working day 3 hours" / "2 hours 5 minutes" / "25 minutes" (at most two units)."""
    minutes = abs(int(minutes))
    day_length = 24 * 60 if natural else (minutes_per_day() or 24 * 60)
    days, rest = divmod(minutes, day_length)
    hours, mins = divmod(rest, 60)
    parts: list[str] = []
    if days:
        if natural:
            parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
        else:
            parts.append(ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days})
        if hours:
            parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    elif hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
        if mins:
            parts.append(ngettext("%(count)d minute", "%(count)d minutes", mins) % {"count": mins})
    else:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", mins) % {"count": mins})
    return " ".join(parts)


def remaining_minutes(now: datetime, due: datetime, *, natural: bool = False) -> int:
    if natural:
        return int((due - now).total_seconds() // 60) if due >= now else -int((now - due).total_seconds() // 60)
    return working_minutes_between(now, due)


def remaining_label(now: datetime, due: datetime, *, natural: bool = False) -> str:
    """"还剩 1 个工作日 3 小时" / "已超时 2 小时" (English msgids; overdue counted in the same time)."""
    minutes = remaining_minutes(now, due, natural=natural)
    if due > now:
        if minutes == 0:
            return _("Due at the start of the next working period")
        return _("%(duration)s left") % {"duration": duration_label(minutes, natural=natural)}
    if minutes == 0:
        return _("Due now")
    return _("Overdue by %(duration)s") % {"duration": duration_label(minutes, natural=natural)}


def year_days(year: int) -> list[dict]:
    """Every day of a year that differs from a plain Mon–Fri week or has an override, for the
    calendar page: date, is_working, official answer, override, note, holiday name (English)."""
    from .models import CalendarDay

    notes = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "note"))
    overrides = _overrides_for_year(year)
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        weekday_working = day.weekday() < 5
        official = _official(day)
        detail = official_holiday_detail(day) if official is not None else None
        entry = {
            "date": day,
            "weekday_working": weekday_working,
            "official": official,
            "holiday_name": detail[1] if detail else None,
            "override": overrides.get(day),
            "note": notes.get(day, ""),
            "make_up": official is True and not weekday_working,
        }
        effective = entry["override"] if entry["override"] is not None else (
            official if official is not None else weekday_working
        )
        entry["is_working"] = effective
        if entry["override"] is not None or (official is not None and official != weekday_working):
            out.append(entry)
        day += dt.timedelta(days=1)
    return out
