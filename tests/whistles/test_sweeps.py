"""The escalation sweep: each level once per dispatch, idempotent, paused dispatches skipped."""

import datetime as dt

import pytest

from tiaokuai.core import sweeps as core_sweeps
from tiaokuai.core import worktime
from tiaokuai.core.models import AuditEvent
from tiaokuai.notify.models import Notification
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispatch, Escalation, Whistle
from tiaokuai.whistles.sweeps import escalate

pytestmark = pytest.mark.django_db


def raise_(c, item="CS-ZR-01", **kw):
    return services.whistle_raise(actor=c.users["township"], item_code=item, village_code=c.villages[0].code,
                                  description="村口有人违法占用耕地建房", **kw)


def add_supervisor(c):
    from tests.factories import make_user

    return make_user("ducha", "孙督查", c.departments["D-BB"], "supervision")


def test_given_nothing_due_when_sweeping_then_nothing_changes(wcounty, clock):
    raise_(wcounty)
    before = (AuditEvent.objects.count(), Escalation.objects.count())
    assert escalate(clock.now) == {"escalated": 0}
    assert (AuditEvent.objects.count(), Escalation.objects.count()) == before


def test_given_sweep_registered_when_run_through_the_registry_then_it_escalates(wcounty, clock):
    w = raise_(wcounty)
    d = w.dispatches.get()
    result = core_sweeps.run_one("whistles.escalate", d.respond_by + dt.timedelta(minutes=1))
    assert result["level_1"] == 1


def test_given_overdue_dispatch_when_sweeping_over_time_then_each_level_is_reached_once(wcounty, clock):
    supervisor = add_supervisor(wcounty)
    w = raise_(wcounty)
    d = w.dispatches.get()
    dept_user, head = wcounty.users["department"], wcounty.users["department"]  # 李自然 is head of D-ZR
    # level 1: the respond deadline passed → reminder to the department's staff
    t1 = d.respond_by + dt.timedelta(minutes=1)
    assert escalate(t1)["level_1"] == 1
    d.refresh_from_db()
    assert (d.escalation_level, d.escalated_at) == (1, t1)
    assert d.next_check_at == worktime.add_working_minutes(t1, worktime.minutes_per_day())
    assert Notification.objects.filter(recipient=dept_user, kind="whistles.escalate.1").count() == 1
    # the same tick again, and a tick before level 2 is due: nothing new (idempotent)
    assert escalate(t1) == {"escalated": 0}
    assert escalate(d.next_check_at - dt.timedelta(minutes=1)) == {"escalated": 0}
    # level 2 one working day later → notice to the head
    t2 = d.next_check_at
    assert escalate(t2)["level_2"] == 1
    assert Notification.objects.filter(recipient=head, kind="whistles.escalate.2").count() == 1
    d.refresh_from_db()
    # level 3 another working day later → supervision, and the whistle is on the supervision board
    t3 = d.next_check_at
    assert escalate(t3)["level_3"] == 1
    d.refresh_from_db()
    assert d.escalation_level == 3 and d.next_check_at is None
    assert Whistle.objects.get(pk=w.pk).supervised_at == t3
    assert Notification.objects.filter(recipient=supervisor, kind="whistles.escalate.3").count() == 1
    assert list(Escalation.objects.order_by("level").values_list("level", "kind")) == [
        (1, "respond"), (2, "respond"), (3, "respond")]
    assert AuditEvent.objects.filter(action="whistles.escalate").count() == 3
    # never more than three, however late
    assert escalate(t3 + dt.timedelta(days=30)) == {"escalated": 0}


def test_given_escalated_dispatch_when_department_responds_then_next_level_waits_for_the_arrive_deadline(
        wcounty, clock):
    w = raise_(wcounty)
    d = w.dispatches.get()
    escalate(d.respond_by + dt.timedelta(minutes=1))
    clock.now = d.respond_by + dt.timedelta(minutes=5)
    d = services.dispatch_respond(actor=wcounty.users["department"], dispatch_id=d.pk)
    assert d.next_check_at == max(d.arrive_by, worktime.add_working_minutes(d.escalated_at,
                                                                           worktime.minutes_per_day()))
    assert escalate(d.next_check_at)["level_2"] == 1
    assert Escalation.objects.get(level=2).kind == "arrive"


def test_given_disputed_dispatch_when_deadline_passes_then_it_is_not_escalated(wcounty, clock):
    w = raise_(wcounty)
    d = w.dispatches.get()
    services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason="非我局职责")
    assert escalate(d.resolve_by + dt.timedelta(days=5)) == {"escalated": 0}
    assert Escalation.objects.count() == 0


def test_given_many_due_dispatches_when_sweeping_then_one_notification_per_department_per_level(wcounty, clock):
    for _ in range(5):
        raise_(wcounty, "CS-HB-01")
    due = Dispatch.objects.order_by("respond_by").last().respond_by + dt.timedelta(minutes=1)
    result = escalate(due)
    assert result["level_1"] == 10
    # D-HB has one staff user; D-SJ's staff (the stationed agency belongs to D-SJ, not a member of D-SJ itself)
    assert Notification.objects.filter(kind="whistles.escalate.1", recipient=wcounty.users["department_other"]).count() == 1
    assert Escalation.objects.count() == 10 and AuditEvent.objects.filter(action="whistles.escalate").count() == 10
    assert not Dispatch.objects.filter(next_check_at__lte=due).exists()


def test_given_stale_next_check_when_sweeping_then_it_moves_on_without_escalating(wcounty, clock):
    w = raise_(wcounty)
    d = w.dispatches.get()
    Dispatch.objects.filter(pk=d.pk).update(next_check_at=clock.now - dt.timedelta(minutes=1))
    assert escalate(clock.now)["escalated"] == 0
    d.refresh_from_db()
    assert d.next_check_at == d.respond_by and d.escalation_level == 0


def test_given_emergency_whistle_when_overdue_then_levels_follow_each_other_in_clock_time(wcounty, clock):
    clock.set(2026, 11, 28, 22, 0)  # a Saturday night: emergencies run around the clock
    d = raise_(wcounty, urgency="emergency").dispatches.get()
    t1 = d.respond_by + dt.timedelta(minutes=1)
    assert escalate(t1)["level_1"] == 1
    d.refresh_from_db()
    assert d.next_check_at == t1 + dt.timedelta(minutes=60)
    assert escalate(d.next_check_at)["level_2"] == 1


def test_given_no_time_left_in_the_budget_when_sweeping_then_nothing_is_half_done_and_the_next_tick_catches_up(
        wcounty, clock):
    for _ in range(3):
        raise_(wcounty, "CS-HB-01")
    due = Dispatch.objects.order_by("respond_by").last().respond_by + dt.timedelta(minutes=1)
    before = (AuditEvent.objects.count(), Escalation.objects.count(), Notification.objects.count())
    # given a tick whose budget is already used: it defers and changes nothing
    assert core_sweeps.run_one("whistles.escalate", due, budget_seconds=0) == {"deferred": 1, "escalated": 0}
    assert (AuditEvent.objects.count(), Escalation.objects.count(), Notification.objects.count()) == before
    # the next tick with time does all of it, each once
    assert core_sweeps.run_one("whistles.escalate", due, budget_seconds=30)["level_1"] == 6
    assert Escalation.objects.count() == 6


def test_given_telling_fails_when_sweeping_then_the_escalations_of_that_chunk_are_not_kept(wcounty, clock, monkeypatch):
    from tiaokuai.whistles import sweeps as whistle_sweeps

    raise_(wcounty)
    d = Dispatch.objects.get()
    before = (AuditEvent.objects.count(), Escalation.objects.count(), Notification.objects.count())

    def broken(escalated):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(whistle_sweeps.LADDER, "tell", broken)
    with pytest.raises(RuntimeError):
        escalate(d.respond_by + dt.timedelta(minutes=1))
    d.refresh_from_db()
    assert d.escalation_level == 0 and d.next_check_at == d.respond_by
    assert (AuditEvent.objects.count(), Escalation.objects.count(), Notification.objects.count()) == before


def test_given_the_ladder_rule_then_services_and_the_sweep_agree_on_the_next_look(wcounty, clock):
    from tiaokuai.whistles.sweeps import LADDER

    w = raise_(wcounty)
    d = w.dispatches.get()
    # given a new dispatch: the next look is its respond deadline, as the raise stored it
    assert services.next_check(services._values(d)) == LADDER.next_check(services._values(d)) == d.next_check_at
    assert d.next_check_at == d.respond_by
    # when the sweep escalates it, the stored next look is the rule's answer for the escalated row
    escalate(d.respond_by + dt.timedelta(minutes=1))
    d.refresh_from_db()
    assert services.next_check(services._values(d)) == d.next_check_at > d.respond_by
