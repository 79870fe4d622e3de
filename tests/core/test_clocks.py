"""Clocks: deadline units on the Chinese calendar, holiday roll-over, pause/resume/stop, met/missed, and the
pending-step rule being the same in Python and in SQL."""

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tiaokuai.core import clocks, worktime
from tiaokuai.core.clocks import ClockStatus, DeadlineSpec, Step, StepClocks, Unit
from tiaokuai.core.errors import Conflict
from tiaokuai.core.models import CalendarDay

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def end_of(y, m, d) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ)


def day_off(day: dt.date, working: bool = False) -> None:
    CalendarDay.objects.create(date=day, is_working=working, note="test", updated_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# Units


def test_given_working_minutes_when_due_then_office_minutes_skip_national_day():
    # 2026-10-01..07 is National Day; 2 working hours from the afternoon of 09-30 end on 10-08.
    assert DeadlineSpec(120, Unit.WORKING_MINUTES).due(at(2026, 9, 30, 17, 0)) == at(2026, 10, 8, 10, 0)
    assert DeadlineSpec(60, Unit.WORKING_MINUTES).due(at(2026, 11, 23, 9, 0)) == worktime.add_working_minutes(
        at(2026, 11, 23, 9, 0), 60
    )


def test_given_natural_minutes_when_due_then_the_clock_runs_through_holidays_and_nights():
    due = DeadlineSpec(90, Unit.NATURAL_MINUTES).due(at(2026, 10, 1, 23, 0))
    assert due == at(2026, 10, 2, 0, 30)
    assert due.tzinfo == TZ
    # UTC input, Shanghai output
    assert DeadlineSpec(15, "natural_minutes").due(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == at(2026, 1, 1, 8, 15)


def test_given_working_days_when_due_then_end_of_office_hours_on_the_nth_working_day_after_the_start_day():
    # Tue 09-29 10:00 + 5 working days: 09-30 (1), National Day off, 10-08 (2), 10-09 (3),
    # Saturday 10-10 is a 调休 make-up working day (4), Sunday 10-11 off, Monday 10-12 (5) at 17:30.
    assert DeadlineSpec(5, Unit.WORKING_DAYS).due(at(2026, 9, 29, 10, 0)) == at(2026, 10, 12, 17, 30)
    # A start after hours or on a day off counts the same: day 1 is the next working day.
    assert DeadlineSpec(1, Unit.WORKING_DAYS).due(at(2026, 11, 20, 22, 0)) == at(2026, 11, 23, 17, 30)
    assert DeadlineSpec(1, Unit.WORKING_DAYS).due(at(2026, 11, 21, 10, 0)) == at(2026, 11, 23, 17, 30)
    # Zero working days: today's close if still open, else the next working day's close.
    assert DeadlineSpec(0, Unit.WORKING_DAYS).due(at(2026, 11, 23, 10, 0)) == at(2026, 11, 23, 17, 30)
    assert DeadlineSpec(0, Unit.WORKING_DAYS).due(at(2026, 11, 23, 18, 0)) == at(2026, 11, 24, 17, 30)


def test_given_spring_festival_when_counting_working_days_then_the_holiday_and_make_up_days_are_respected():
    # Fri 02-13 + 1: Saturday 02-14 is a make-up working day.
    assert DeadlineSpec(1, Unit.WORKING_DAYS).due(at(2026, 2, 13, 9, 0)) == at(2026, 2, 14, 17, 30)
    # Sat 02-14 + 1: 02-15..23 is the Spring Festival holiday, 02-24 is the next working day.
    assert DeadlineSpec(1, Unit.WORKING_DAYS).due(at(2026, 2, 14, 9, 0)) == at(2026, 2, 24, 17, 30)


def test_given_natural_days_when_the_last_day_is_a_working_day_then_the_period_ends_at_its_end():
    # The start day is not counted: 11-23 + 15 days → 12-08 (a Tuesday) at 24:00.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 11, 23, 16, 45)) == end_of(2026, 12, 8)
    # Last day on the make-up Saturday 2026-10-10: a working day, so no roll-over.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 9, 25, 9, 0)) == end_of(2026, 10, 10)


def test_given_natural_days_ending_in_a_holiday_when_due_then_it_rolls_to_the_end_of_the_next_working_day():
    # 09-16 + 15 → 10-01 (National Day) → the first working day after the holiday, 10-08.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 9, 16, 10, 0)) == end_of(2026, 10, 8)
    # An ordinary Sunday rolls to Monday: 09-26 + 15 → Sunday 10-11 → 10-12.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 9, 26, 10, 0)) == end_of(2026, 10, 12)
    # Without roll-over the period ends on the holiday itself.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS, holiday_rollover=False).due(at(2026, 9, 16, 10, 0)) == end_of(
        2026, 10, 1
    )


def test_given_a_calendar_override_when_due_then_the_roll_over_follows_it():
    # The office extends National Day by one day: 10-08 is off, so the period ends on 10-09.
    day_off(dt.date(2026, 10, 8))
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 9, 16, 10, 0)) == end_of(2026, 10, 9)
    # An override that makes the Sunday 10-11 a working day stops the roll-over there.
    day_off(dt.date(2026, 10, 11), working=True)
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 9, 26, 10, 0)) == end_of(2026, 10, 11)


def test_given_2027_not_yet_published_when_the_office_enters_new_year_then_periods_roll_over_it():
    # The package does not know 2027: Friday 2027-01-01 counts as a working day until the office says otherwise.
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 12, 17, 10, 0)) == end_of(2027, 1, 1)
    day_off(dt.date(2027, 1, 1))
    assert DeadlineSpec(15, Unit.NATURAL_DAYS).due(at(2026, 12, 17, 10, 0)) == end_of(2027, 1, 4)


def test_given_months_when_adding_then_the_day_number_is_kept_and_clamped_to_the_month_end():
    assert clocks.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert clocks.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert clocks.add_months(dt.date(2026, 3, 31), 1) == dt.date(2026, 4, 30)
    assert clocks.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert clocks.add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert clocks.add_months(dt.date(2026, 5, 10), 12) == dt.date(2027, 5, 10)


def test_given_months_when_due_then_clamped_last_day_and_spring_festival_roll_over():
    # 01-31 + 1 month → 02-28, a Saturday but a 调休 make-up working day in 2026: no roll-over.
    assert DeadlineSpec(1, Unit.MONTHS).due(at(2026, 1, 31, 15, 0)) == end_of(2026, 2, 28)
    # 01-15 + 1 month → 02-15, in the Spring Festival holiday (02-15..23) → 02-24.
    assert DeadlineSpec(1, Unit.MONTHS).due(at(2026, 1, 15, 15, 0)) == end_of(2026, 2, 24)
    assert DeadlineSpec(1, Unit.MONTHS, holiday_rollover=False).due(at(2026, 1, 15, 15, 0)) == end_of(2026, 2, 15)


def test_given_specs_when_labelled_and_hashed_then_they_read_as_people_say_them_and_are_values():
    with translation.override("en"):
        assert DeadlineSpec(120, Unit.WORKING_MINUTES).label() == "2 working hours"
        assert DeadlineSpec(30, Unit.WORKING_MINUTES).label() == "30 working minutes"
        assert DeadlineSpec(60, Unit.NATURAL_MINUTES).label() == "1 hour"
        assert DeadlineSpec(5, Unit.WORKING_DAYS).label() == "5 working days"
        assert DeadlineSpec(15, Unit.NATURAL_DAYS).label() == "15 days"
        assert str(DeadlineSpec(1, Unit.MONTHS)) == "1 month"
    assert DeadlineSpec(5, "working_days") == DeadlineSpec(5, Unit.WORKING_DAYS)
    assert len({DeadlineSpec(5, Unit.WORKING_DAYS), DeadlineSpec(5, "working_days"), DeadlineSpec(5)}) == 2
    with pytest.raises(ValueError):
        DeadlineSpec(-1, Unit.NATURAL_DAYS)


# ---------------------------------------------------------------------------------------------
# Life cycle


def test_given_a_working_clock_when_paused_and_resumed_then_due_moves_by_the_paused_working_minutes():
    state = clocks.start(DeadlineSpec(420, Unit.WORKING_MINUTES), at(2026, 11, 20, 9, 0))  # Friday
    assert state.due_at == at(2026, 11, 23, 9, 0)
    paused = clocks.pause(state, at(2026, 11, 20, 17, 0), "争议待裁定")
    assert (paused.paused_since, paused.pause_reason, paused.due_at) == (at(2026, 11, 20, 17, 0), "争议待裁定",
                                                                         state.due_at)
    assert clocks.result(paused, at(2026, 11, 25, 9, 0)).status == ClockStatus.PAUSED
    # Friday 17:00 → Monday 09:00 is 30 + 30 working minutes.
    resumed = clocks.resume(paused, at(2026, 11, 23, 9, 0))
    assert (resumed.paused_since, resumed.paused_total, resumed.pause_reason) == (None, 60, "")
    assert resumed.due_at == at(2026, 11, 23, 10, 0)


def test_given_a_natural_clock_when_paused_overnight_then_due_moves_by_natural_minutes():
    state = clocks.start(DeadlineSpec(60, Unit.NATURAL_MINUTES), at(2026, 10, 1, 22, 0))
    state = clocks.resume(clocks.pause(state, at(2026, 10, 1, 22, 30)), at(2026, 10, 2, 0, 30))
    assert (state.due_at, state.paused_total) == (at(2026, 10, 2, 1, 0), 120)


def test_given_wrong_order_when_pausing_resuming_or_stopping_then_conflict_and_state_unchanged():
    state = clocks.start(DeadlineSpec(5, Unit.WORKING_DAYS), at(2026, 11, 23, 9, 0))
    with pytest.raises(Conflict):
        clocks.resume(state, at(2026, 11, 23, 10, 0))
    paused = clocks.pause(state, at(2026, 11, 23, 10, 0), "a")
    with pytest.raises(Conflict):
        clocks.pause(paused, at(2026, 11, 23, 11, 0), "b")
    assert paused.pause_reason == "a"
    stopped = clocks.stop(state, at(2026, 11, 24, 9, 0))
    for call in (lambda: clocks.stop(stopped, at(2026, 11, 25, 9, 0)), lambda: clocks.pause(stopped, at(2026, 11, 25)),
                 lambda: clocks.resume(stopped, at(2026, 11, 25))):
        with pytest.raises(Conflict):
            call()
    assert stopped.stopped_at == at(2026, 11, 24, 9, 0)


def test_given_stopped_clocks_when_judged_then_met_or_missed_by_signed_minutes():
    state = clocks.start(DeadlineSpec(120, Unit.WORKING_MINUTES), at(2026, 11, 23, 9, 0))  # due 11:00
    with translation.override("en"):
        met = clocks.result(clocks.stop(state, at(2026, 11, 23, 10, 30)), at(2026, 11, 30))
        assert (met.status, met.minutes, met.label, met.overdue) == (ClockStatus.MET, 30, "30 minutes early", False)
        # 11:00 → 15:00 across lunch: 2 working hours late.
        missed = clocks.result(clocks.stop(state, at(2026, 11, 23, 15, 0)), at(2026, 11, 30))
        assert (missed.status, missed.minutes, missed.label) == (ClockStatus.MISSED, -120, "2 hours late")


def test_given_running_clocks_when_judged_then_time_left_or_overdue_in_the_clocks_own_time():
    state = clocks.start(DeadlineSpec(2, Unit.NATURAL_DAYS), at(2026, 11, 23, 9, 0))  # due 11-25 24:00
    with translation.override("en"):
        running = clocks.result(state, at(2026, 11, 25, 22, 0))
        assert (running.status, running.minutes, running.label) == (ClockStatus.RUNNING, 119, "1 hour 59 minutes left")
        late = clocks.result(state, at(2026, 11, 27, 0, 0))
        assert (late.status, late.overdue, late.minutes) == (ClockStatus.MISSED, True, -24 * 60)
        assert late.label == "Overdue by 1 day"


def test_given_a_paused_clock_when_stopped_then_the_pause_counts_before_judging():
    state = clocks.start(DeadlineSpec(60, Unit.WORKING_MINUTES), at(2026, 11, 23, 9, 0))  # due 10:00
    state = clocks.pause(state, at(2026, 11, 23, 9, 30), "等待材料")
    stopped = clocks.stop(state, at(2026, 11, 23, 10, 30))  # paused 60 minutes → due 11:00
    assert (stopped.due_at, stopped.paused_total, stopped.paused_since) == (at(2026, 11, 23, 11, 0), 60, None)
    assert clocks.result(stopped, at(2026, 11, 30)).status == ClockStatus.MET


# ---------------------------------------------------------------------------------------------
# Overdue minutes for sweeps


def test_given_many_deadlines_when_counting_overdue_minutes_in_bulk_then_equal_to_the_exact_count():
    now = at(2026, 10, 12, 10, 17, 30)
    overdue = clocks.OverdueMinutes(now)
    rng = random.Random(9)
    for _i in range(300):
        due = now - dt.timedelta(minutes=rng.randint(-600, 30 * 24 * 60), seconds=rng.randint(0, 59))
        assert overdue.minutes(due, Unit.WORKING_MINUTES) == max(0, worktime.working_minutes_between(due, now))
        assert overdue.minutes(due, Unit.NATURAL_DAYS) == max(0, int((now - due).total_seconds() // 60))
        assert overdue.minutes(due, True) == overdue.minutes(due, Unit.NATURAL_MINUTES)


# ---------------------------------------------------------------------------------------------
# Step clocks: Python and SQL agree


def _dispatch_template(county):
    from tests.whistles.conftest import make_whistle_list
    from tiaokuai.whistles import services

    make_whistle_list(county)
    w = services.whistle_raise(actor=county.users["township"], item_code="CS-ZR-01",
                               village_code=county.villages[0].code, description="村口有人违法占用耕地建房")
    return w.dispatches.get()


def _whistle_copies(whistle, n):
    from tiaokuai.whistles.models import Whistle

    fields = {f.attname: getattr(whistle, f.attname) for f in Whistle._meta.concrete_fields if not f.primary_key}
    return Whistle.objects.bulk_create([Whistle(**{**fields, "number": f"{whistle.number}-{i}"}) for i in range(n)])


ALL_DONE = StepClocks(  # a flow whose last step has its own done field
    steps=(Step("respond", "respond_by", "responded_at"), Step("arrive", "arrive_by", "arrived_at"),
           Step("resolve", "resolve_by", "resolved_at")),
    pending_states=frozenset({"dispatched", "responded", "arrived", "disputed"}),
)


def _declarations():
    from tiaokuai.whistles.clocks import DISPATCH_CLOCKS

    return [DISPATCH_CLOCKS, ALL_DONE]


@pytest.mark.parametrize("which", [0, 1])
def test_given_random_rows_when_the_pending_step_is_computed_then_python_and_sql_agree(county, which):
    from tiaokuai.whistles.choices import DispatchStatus
    from tiaokuai.whistles.models import Dispatch

    decl = _declarations()[which]
    template = _dispatch_template(county)
    now = at(2026, 11, 23, 10, 0)
    rng = random.Random(which)
    offsets = [-3000, -60, -1, 0, 1, 60, 3000]  # minutes around now, now itself included
    rows = []
    combinations = list(itertools.product(
        DispatchStatus.values, [False, True], [False, True], [False, True], [False, True]))
    # A body is called once per whistle (a live call): each row gets a whistle of its own, copied from the template's.
    whistles = iter(_whistle_copies(template.whistle, len(combinations) * 4))
    for status, paused, responded, arrived, resolved in combinations:
        for _i in range(4):
            due = [now + dt.timedelta(minutes=rng.choice(offsets), microseconds=rng.choice([0, 0, 1])) for _ in range(3)]
            rows.append(Dispatch(
                whistle=next(whistles), organisation=template.organisation, role=template.role, status=status,
                dispatched_at=now - dt.timedelta(days=1), respond_by=due[0], arrive_by=due[1], resolve_by=due[2],
                paused_since=now - dt.timedelta(hours=1) if paused else None,
                responded_at=now - dt.timedelta(hours=2) if responded else None,
                arrived_at=now - dt.timedelta(hours=2) if arrived else None,
                resolved_at=now - dt.timedelta(minutes=5) if resolved else None,
            ))
    Dispatch.objects.bulk_create(rows)
    qs = Dispatch.objects.all()
    assert qs.count() > 300
    sql = {pk: (step, due) for pk, step, due in qs.annotate(**decl.annotations()).values_list("pk", "step", "due")}
    overdue_ids = set(qs.filter(decl.overdue_q(now)).values_list("pk", flat=True))
    pending_ids = set(qs.filter(decl.pending_q()).values_list("pk", flat=True))
    # the same Q through a relation (as the board filters whistles by their dispatches)
    from tiaokuai.whistles.models import Whistle

    assert Whistle.objects.filter(decl.overdue_q(now, prefix="dispatches__")).exists() == bool(overdue_ids)
    counts = {"pending": 0, "overdue": 0}
    for d in qs:
        row = decl.row(d)
        python = decl.pending(row)
        assert (python or ("", None)) == sql[d.pk], row
        assert (d.pk in pending_ids) == (python is not None), row
        assert (d.pk in overdue_ids) == decl.is_overdue(row, now), row
        counts["pending"] += python is not None
        counts["overdue"] += decl.is_overdue(row, now)
    assert 0 < counts["overdue"] < counts["pending"] < len(sql)  # every branch was exercised
    # ordering: earliest pending due first, nothing pending last
    ordered = list(qs.order_by(decl.order_by_due(), "pk").values_list("pk", flat=True))
    expected = sorted(sql, key=lambda pk: (sql[pk][1] is None, sql[pk][1] or now, pk))
    assert ordered == expected


def test_given_the_whistle_declaration_when_reading_a_dispatch_then_the_old_rule_holds():
    from tiaokuai.whistles.clocks import DISPATCH_CLOCKS

    due = (at(2026, 11, 23, 11), at(2026, 11, 23, 16), at(2026, 11, 25, 12))
    row = {"status": "dispatched", "paused_since": None, "responded_at": None, "arrived_at": None,
           "respond_by": due[0], "arrive_by": due[1], "resolve_by": due[2]}
    assert DISPATCH_CLOCKS.pending(row) == ("respond", due[0])
    assert DISPATCH_CLOCKS.pending({**row, "status": "responded", "responded_at": due[0]}) == ("arrive", due[1])
    assert DISPATCH_CLOCKS.pending({**row, "responded_at": due[0], "arrived_at": due[1]}) == ("resolve", due[2])
    assert DISPATCH_CLOCKS.pending({**row, "paused_since": due[0]}) is None
    assert DISPATCH_CLOCKS.pending({**row, "status": "resolved"}) is None
    assert DISPATCH_CLOCKS.is_overdue(row, due[0]) is True
    assert DISPATCH_CLOCKS.is_overdue(row, due[0] - dt.timedelta(microseconds=1)) is False


def test_given_whistle_urgencies_when_asking_the_escalation_interval_then_it_is_a_deadline_spec():
    from tiaokuai.whistles import services

    assert services.escalation_interval("normal") == DeadlineSpec(worktime.minutes_per_day(), Unit.WORKING_MINUTES)
    assert services.escalation_interval("emergency") == DeadlineSpec(60, Unit.NATURAL_MINUTES)
    # Friday 17:00 + one working day = Monday 17:00; an emergency one hour later, whatever the day.
    assert services.escalation_interval_end(at(2026, 11, 20, 17, 0), "urgent") == at(2026, 11, 23, 17, 0)
    assert services.escalation_interval_end(at(2026, 11, 21, 23, 30), "emergency") == at(2026, 11, 22, 0, 30)
