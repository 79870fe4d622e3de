"""Working time on the Chinese calendar: holidays, 调休 make-up days, overrides, office hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from tiaokuai.core import services, worktime
from tiaokuai.core.errors import NotFound
from tiaokuai.core.models import AuditEvent, CalendarDay

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_given_national_day_when_checked_then_not_a_working_day():
    assert worktime.is_working_day(dt.date(2026, 10, 1)) is False
    assert worktime.is_working_day(dt.date(2026, 10, 7)) is False
    assert worktime.is_working_day(dt.date(2026, 10, 8)) is True


def test_given_afternoon_of_national_day_when_adding_seven_working_hours_then_lands_on_first_working_day_after():
    due = worktime.add_working_minutes(at(2026, 10, 1, 17, 0), 7 * 60)
    assert due == at(2026, 10, 8, 17, 30)
    assert worktime.deadline(at(2026, 10, 1, 17, 0), minutes=60) == at(2026, 10, 8, 9, 30)


def test_given_make_up_weekend_days_in_2026_when_checked_then_they_are_working_days():
    # 调休: Saturday 2026-02-14 (Spring Festival) and Sunday 2026-09-20 (Mid-Autumn/National Day).
    assert dt.date(2026, 2, 14).weekday() == 5
    assert dt.date(2026, 9, 20).weekday() == 6
    assert worktime.is_working_day(dt.date(2026, 2, 14)) is True
    assert worktime.is_working_day(dt.date(2026, 9, 20)) is True
    # An ordinary Saturday is not.
    assert worktime.is_working_day(dt.date(2026, 11, 21)) is False
    # Friday evening + 1 working hour on the eve of a make-up Saturday lands on that Saturday.
    assert worktime.add_working_minutes(at(2026, 2, 13, 17, 0), 60) == at(2026, 2, 14, 9, 0)


def test_given_a_year_the_package_does_not_know_when_computing_then_weekdays_are_used_and_source_is_fallback():
    assert worktime.calendar_source(2027) == "fallback"
    assert worktime.calendar_source(2026) == "official"
    assert worktime.is_working_day(dt.date(2027, 1, 1)) is True  # a Friday; the holiday is not known yet
    assert worktime.is_working_day(dt.date(2027, 1, 2)) is False  # Saturday
    assert worktime.add_working_minutes(at(2027, 1, 1, 17, 0), 60) == at(2027, 1, 4, 9, 0)


def test_given_an_override_when_computing_then_it_beats_the_package(county):
    office = county.users["establishment_office"]
    services.calendar_day_set(actor=office, day=dt.date(2026, 10, 8), is_working=False, note="延长假期")
    services.calendar_day_set(actor=office, day=dt.date(2026, 10, 3), is_working=True, note="调休上班")
    assert worktime.is_working_day(dt.date(2026, 10, 8)) is False
    assert worktime.is_working_day(dt.date(2026, 10, 3)) is True
    assert worktime.calendar_source(2026) == "override"
    assert worktime.add_working_minutes(at(2026, 10, 2, 9, 0), 60) == at(2026, 10, 3, 9, 30)
    services.calendar_day_clear(actor=office, day=dt.date(2026, 10, 3))
    assert worktime.is_working_day(dt.date(2026, 10, 3)) is False


def test_given_overrides_for_a_missing_year_when_checked_then_source_is_override(county):
    office = county.users["establishment_office"]
    services.calendar_day_set(actor=office, day=dt.date(2027, 1, 1), is_working=False, note="元旦")
    assert worktime.calendar_source(2027) == "override"
    assert worktime.is_working_day(dt.date(2027, 1, 1)) is False


def test_given_morning_when_adding_across_lunch_and_evening_then_breaks_are_skipped():
    # Monday 2026-11-23, 11:00 + 2 h: 11:00–12:00, then 14:00–15:00.
    assert worktime.add_working_minutes(at(2026, 11, 23, 11, 0), 120) == at(2026, 11, 23, 15, 0)
    # 17:00 + 1 h: 17:00–17:30, then next morning 08:30–09:00.
    assert worktime.add_working_minutes(at(2026, 11, 23, 17, 0), 60) == at(2026, 11, 24, 9, 0)
    # Lunch time start counts from 14:00; an evening start from next morning.
    assert worktime.add_working_minutes(at(2026, 11, 23, 12, 30), 30) == at(2026, 11, 23, 14, 30)
    assert worktime.add_working_minutes(at(2026, 11, 23, 20, 0), 0) == at(2026, 11, 24, 8, 30)
    # Ending exactly at the end of the day stays there.
    assert worktime.add_working_minutes(at(2026, 11, 23, 8, 30), 420) == at(2026, 11, 23, 17, 30)


def test_given_a_span_when_counting_working_minutes_then_breaks_weekends_and_holidays_are_excluded():
    assert worktime.working_minutes_between(at(2026, 11, 23, 11, 0), at(2026, 11, 23, 15, 0)) == 120
    # Friday 10:00 → Monday 10:00 is one working day.
    assert worktime.working_minutes_between(at(2026, 11, 20, 10, 0), at(2026, 11, 23, 10, 0)) == 420
    # Whole National Day week is free.
    assert worktime.working_minutes_between(at(2026, 9, 30, 17, 30), at(2026, 10, 8, 8, 30)) == 0
    assert worktime.working_minutes_between(at(2026, 11, 23, 15, 0), at(2026, 11, 23, 11, 0)) == -120


def test_given_many_working_days_when_adding_then_result_is_consistent_with_counting():
    start = at(2026, 1, 5, 10, 0)
    due = worktime.add_working_minutes(start, 30 * 7 * 60)
    assert worktime.working_minutes_between(start, due) == 30 * 7 * 60
    # Jan 5 is working day 1, Feb 13 day 30; the 30 days end on the make-up Saturday Feb 14.
    assert due == at(2026, 2, 14, 10, 0)
    # Across the Spring Festival holiday (2026-02-15..23).
    assert worktime.add_working_minutes(at(2026, 2, 13, 10, 0), 2 * 7 * 60) == at(2026, 2, 24, 10, 0)


def test_given_working_days_when_adding_then_same_clock_time_on_the_nth_working_day():
    assert worktime.add_working_days(at(2026, 11, 20, 10, 0), 1) == at(2026, 11, 23, 10, 0)
    assert worktime.add_working_days(at(2026, 11, 20, 8, 30), 1) == at(2026, 11, 23, 8, 30)
    # Saturday is first moved to Monday 08:30.
    assert worktime.add_working_days(at(2026, 11, 21, 10, 0), 1) == at(2026, 11, 24, 8, 30)
    # From 2026-09-30 the holiday week is skipped and the make-up Saturday 10-10 counts.
    assert worktime.add_working_days(at(2026, 9, 30, 10, 0), 3) == at(2026, 10, 10, 10, 0)
    assert worktime.add_working_days(at(2026, 9, 30, 10, 0), 4) == at(2026, 10, 12, 10, 0)


def test_given_an_emergency_when_computing_deadline_then_natural_time_is_used():
    start = at(2026, 10, 1, 23, 0)
    assert worktime.deadline(start, minutes=120, natural=True) == at(2026, 10, 2, 1, 0)
    assert worktime.deadline(start, minutes=120) == at(2026, 10, 8, 10, 30)


def test_given_a_utc_input_when_computing_then_result_is_aware_in_shanghai():
    start = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    due = worktime.add_working_minutes(start, 60)
    assert due == at(2026, 11, 23, 11, 0)
    assert due.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(ValueError):
        worktime.add_working_minutes(dt.datetime(2026, 11, 23, 10, 0), 60)  # noqa: DTZ001


def test_given_remaining_time_when_labelled_in_english_then_working_days_and_hours():
    with translation.override("en"):
        assert worktime.remaining_label(at(2026, 11, 20, 10, 0), at(2026, 11, 23, 13, 0)) == \
            "1 working day 2 hours left"
        assert worktime.remaining_label(at(2026, 11, 23, 16, 0), at(2026, 11, 23, 10, 0)) == "Overdue by 4 hours"
        assert worktime.remaining_label(at(2026, 11, 23, 10, 0), at(2026, 11, 23, 10, 25)) == "25 minutes left"
        assert worktime.remaining_label(at(2026, 11, 23, 10, 0), at(2026, 11, 24, 13, 0), natural=True) == \
            "1 day 3 hours left"


def test_given_remaining_time_when_labelled_in_chinese_then_uses_the_catalogue():
    with translation.override("zh-hans"):
        label = worktime.remaining_label(at(2026, 11, 20, 10, 0), at(2026, 11, 23, 13, 0))
        assert label.replace(" ", "") == "还剩1个工作日2小时"
        overdue = worktime.remaining_label(at(2026, 11, 23, 16, 0), at(2026, 11, 23, 14, 0))
        assert overdue.replace(" ", "") == "已超时2小时"


def test_given_township_staff_when_setting_a_calendar_day_then_refused_and_nothing_changes(county):
    audits = AuditEvent.objects.count()
    for user in (county.users["township"], county.users["department"], county.users["citizen"]):
        with pytest.raises(NotFound):
            services.calendar_day_set(actor=user, day=dt.date(2026, 12, 1), is_working=False)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotFound):
        services.calendar_day_set(actor=AnonymousUser(), day=dt.date(2026, 12, 1), is_working=False)
    assert CalendarDay.objects.count() == 0
    assert AuditEvent.objects.count() == audits
    assert worktime.is_working_day(dt.date(2026, 12, 1)) is True


def test_given_an_override_when_other_role_clears_it_then_refused_and_nothing_changes(county):
    services.calendar_day_set(actor=county.users["establishment_office"], day=dt.date(2026, 12, 1),
                              is_working=False, note="x")
    audits = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        services.calendar_day_clear(actor=county.users["township"], day=dt.date(2026, 12, 1))
    assert CalendarDay.objects.count() == 1
    assert AuditEvent.objects.count() == audits


def test_given_establishment_office_when_setting_then_one_audit_event_per_change(county):
    office = county.users["establishment_office"]
    before = AuditEvent.objects.count()
    row = services.calendar_day_set(actor=office, day=dt.date(2026, 12, 1), is_working=False, note="a")
    services.calendar_day_set(actor=office, day=dt.date(2026, 12, 1), is_working=True, note="b")
    services.calendar_day_clear(actor=office, day=dt.date(2026, 12, 1))
    events = list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert events == ["core.calendar_day_set", "core.calendar_day_set", "core.calendar_day_clear"]
    assert not CalendarDay.objects.filter(pk=row.pk).exists()


def test_given_the_calendar_page_when_office_opens_2027_then_fallback_banner_shows(county, login):
    client = login(county.users["establishment_office"])
    resp = client.get("/system/calendar/2027/")
    assert resp.status_code == 200
    assert 'id="calendar-fallback"' in resp.content.decode()
    resp = client.get("/system/calendar/2026/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="calendar-fallback"' not in body
    assert "2026-02-14" in body and "2026-10-01" in body
    assert "春节" in body and "国庆节" in body


def test_given_the_calendar_page_when_office_posts_a_day_then_override_is_saved(county, login):
    client = login(county.users["establishment_office"])
    resp = client.post("/system/calendar/2027/", {"day": "2027-02-06", "is_working": "1", "note": "春节调休"})
    assert resp.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 6)).is_working is True
    resp = client.post("/system/calendar/2027/clear/", {"day": "2027-02-06"})
    assert resp.status_code == 302
    assert not CalendarDay.objects.exists()


def test_given_township_staff_when_opening_the_calendar_page_then_404(county, login):
    client = login(county.users["township"])
    assert client.get("/system/calendar/").status_code == 404
    assert client.post("/system/calendar/2027/", {"day": "2027-02-06", "is_working": "1"}).status_code == 404
    assert not CalendarDay.objects.exists()


# ---------------------------------------------------------------------------------------------
# Constant-time arithmetic agrees with the day-by-day walk it replaced


def _reference_add(start, minutes):
    """The former day-by-day walk of add_working_minutes."""
    local = start.astimezone(worktime.TZ)
    remaining = dt.timedelta(minutes=minutes)
    full_day = dt.timedelta(minutes=worktime.minutes_per_day())
    days = worktime.DayClassifier()
    day = local.date()
    for offset in range(4000):
        if days.working(day):
            if offset > 0 and remaining > full_day:
                remaining -= full_day
            else:
                for seg_start, seg_end in worktime._segments(day):
                    begin = max(seg_start, local)
                    if begin >= seg_end:
                        continue
                    if remaining <= seg_end - begin:
                        return begin + remaining
                    remaining -= seg_end - begin
        day += dt.timedelta(days=1)
    raise AssertionError("no working day")


def _reference_between(start, end):
    """The former day-by-day walk of working_minutes_between."""
    if end < start:
        return -_reference_between(end, start)
    a, b = start.astimezone(worktime.TZ), end.astimezone(worktime.TZ)
    days = worktime.DayClassifier()
    full_day = dt.timedelta(minutes=worktime.minutes_per_day())
    total = dt.timedelta()
    day = a.date()
    while day <= b.date():
        if days.working(day):
            if a.date() < day < b.date():
                total += full_day
            else:
                for seg_start, seg_end in worktime._segments(day):
                    lo, hi = max(seg_start, a), min(seg_end, b)
                    if hi > lo:
                        total += hi - lo
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)


@pytest.mark.django_db
def test_given_random_instants_across_years_and_overrides_when_counting_then_the_index_agrees_with_the_day_walk():
    import random

    from django.utils import timezone as tz

    # given office overrides (an extra day off and a make-up Saturday) and spans over 2025–2028 (2027+
    # falls back to weekdays when the package does not know the year)
    CalendarDay.objects.create(date=dt.date(2026, 12, 9), is_working=False, note="t", updated_at=tz.now())
    CalendarDay.objects.create(date=dt.date(2026, 12, 12), is_working=True, note="t", updated_at=tz.now())
    rng = random.Random(20261207)
    base = dt.datetime(2025, 1, 1, tzinfo=worktime.TZ)
    days = worktime.DayClassifier()
    for _ in range(200):
        start = base + dt.timedelta(minutes=rng.randrange(0, 4 * 365 * 24 * 60), seconds=rng.choice([0, 0, 17]))
        minutes = rng.choice([0, 1, 60, 210, 420, 421, 839, 840, rng.randrange(0, 420 * 300)])
        # then both count the same
        assert worktime.add_working_minutes(start, minutes) == _reference_add(start, minutes), (start, minutes)
        end = start + dt.timedelta(minutes=rng.randrange(-60 * 24 * 400, 60 * 24 * 400))
        assert worktime.working_minutes_between(start, end) == _reference_between(start, end), (start, end)
        n = rng.randrange(0, 400)
        day = start.date()
        walked, counted = day, 0
        while counted < n or (n == 0 and not days.working(walked)):
            walked += dt.timedelta(days=1)
            counted += days.working(walked)
        assert worktime.nth_working_day_after(day, n) == walked, (day, n)
