"""The kernel's dispatch behaviour: a dispute pauses the clocks; keeping the dispatch resumes them with the
deadlines not yet met moved by the paused time in the clock's own unit; a return restarts the later steps."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tiaokuai.core import dispatch, worktime
from tiaokuai.core.clocks import DeadlineSpec, Step, StepClocks, Unit

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

CLOCKS = StepClocks(
    steps=(Step("accept", due_field="accept_by", done_field="accepted_at"),
           Step("finish", due_field="finish_by")),
    pending_states=frozenset({"sent", "accepted"}),
    paused_field="paused_since",
)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_given_a_pending_dispatch_when_disputed_then_its_clocks_pause_and_remember_where_it_was():
    changes = dispatch.pause("accepted", at(2026, 12, 1, 10, 0))
    assert changes == {"status_before_dispute": "accepted", "paused_since": at(2026, 12, 1, 10, 0)}
    assert CLOCKS.pending({"status": "disputed", "paused_since": at(2026, 12, 1, 10, 0), "accept_by": None,
                           "accepted_at": None, "finish_by": None}) is None


def test_given_a_dispute_over_a_weekend_when_kept_then_only_unmet_deadlines_move_by_the_paused_working_time():
    # paused Friday 16:00, kept Monday 10:00: 1 working hour on Friday + 1 on Monday (office hours per
    # the calendar) — the weekend does not count.
    d = SimpleNamespace(paused_since=at(2026, 12, 4, 16, 0), paused_minutes=30,
                        accept_by=at(2026, 12, 4, 17, 0), accepted_at=at(2026, 12, 4, 15, 0),
                        finish_by=at(2026, 12, 8, 12, 0))
    now = at(2026, 12, 7, 10, 0)
    paused, changes = dispatch.resume(CLOCKS, d, now, Unit.WORKING_MINUTES)
    assert paused == worktime.working_minutes_between(d.paused_since, now) > 0
    assert changes["accept_by"] == d.accept_by  # already met: stays
    assert changes["finish_by"] == worktime.add_working_minutes(d.finish_by, paused)
    assert changes["paused_minutes"] == 30 + paused
    assert (changes["paused_since"], changes["status_before_dispute"]) == (None, "")


def test_given_an_emergency_clock_when_kept_then_the_natural_minutes_of_the_pause_are_added():
    d = SimpleNamespace(paused_since=at(2026, 12, 5, 22, 0), paused_minutes=0,
                        accept_by=at(2026, 12, 5, 23, 0), accepted_at=None, finish_by=at(2026, 12, 6, 6, 0))
    paused, changes = dispatch.resume(CLOCKS, d, at(2026, 12, 6, 1, 0), Unit.NATURAL_MINUTES)
    assert paused == 180
    assert changes["accept_by"] == at(2026, 12, 6, 2, 0) and changes["finish_by"] == at(2026, 12, 6, 9, 0)


def test_given_a_returned_dispatch_when_restarted_from_a_step_then_that_step_and_later_ones_run_again_from_now():
    now = at(2026, 12, 7, 9, 0)
    specs = (DeadlineSpec(60, Unit.WORKING_MINUTES), DeadlineSpec(5, Unit.WORKING_DAYS))
    changes = dispatch.restart(CLOCKS, specs, now, from_step="finish")
    assert changes == {"finish_by": DeadlineSpec(5, Unit.WORKING_DAYS).due(now)}
    changes = dispatch.restart(CLOCKS, specs, now, from_step="accept")
    assert changes["accepted_at"] is None and changes["accept_by"] == worktime.add_working_minutes(now, 60)
    with pytest.raises(ValueError):
        dispatch.restart(CLOCKS, specs[:1], now, from_step="accept")


def test_given_an_arbiters_decision_when_checked_then_unknown_or_same_bodies_are_refused_per_field():
    from tests.factories import make_county

    c = make_county()
    disputing = c.departments["D-ZR"]
    # a decision that is neither keep nor reroute
    assert dispatch.arbitration("maybe", "", disputing.pk)[1].keys() == {"decision"}
    # keep needs no body
    assert dispatch.arbitration("keep", None, disputing.pk) == (None, {})
    # reroute to an unknown body, or back to the body that disputes
    assert dispatch.arbitration("reroute", "NOPE", disputing.pk)[1].keys() == {"organisation"}
    assert dispatch.arbitration("reroute", disputing.code, disputing.pk)[1].keys() == {"organisation"}
    # reroute to another body
    other = c.departments["D-HB"]
    assert dispatch.arbitration("reroute", other.code, disputing.pk) == (other, {})


def test_given_the_shared_arbitration_table_then_each_mechanism_audits_under_its_own_name():
    table = dispatch.dispute_workflow("tests.dispute", audit_prefix="tests", register=False)
    assert table.transitions() == {"open": {"kept", "rerouted"}, "kept": set(), "rerouted": set()}
    assert [table.action(n).audit for n in ("keep", "reroute")] == ["tests.dispute_kept", "tests.dispute_rerouted"]
    assert table.available("open", {"handler"}) == []
