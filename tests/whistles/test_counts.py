"""The board's counts table (ADR 0013, 0015, 0020): new whistles folded in by the whistles.counts sweep, every dispatch
and status change of a folded whistle kept in the same transaction; equal to a recount after any sequence of flows,
folds, overdue ticks and hours passing; refused actions leave it as it was; the boards read it plus the whistles not
folded (or not counted overdue) yet; a whistle's earliest running deadline always agrees with its dispatches."""

import random

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from tests.factories import make_user
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.org.models import Organisation
from tiaokuai.whistles import selectors, services
from tiaokuai.whistles.clocks import DISPATCH_CLOCKS
from tiaokuai.whistles.models import Dispatch, Dispute, Whistle, WhistleCount
from tiaokuai.whistles.services.counts import count_overdue, fold, recount

pytestmark = pytest.mark.django_db

REFUSALS = (Conflict, Invalid, NotFound)


def table():
    return {(k, i, s): n for k, i, s, n in WhistleCount.objects.values_list("kind", "scope_id", "status", "n") if n}


def staff(org):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.filter(username=f"staff-{org.code}").first()
    return u or make_user(f"staff-{org.code}", f"{org.name}人员", org, "department", is_head=True)


def _flow_step(c, rng, clock=None):
    """One random action a person could take now (raise, route, a dispatch step, dispute and arbitration, the
    township's confirm / return / close / reopen), the sweep's ticks and (with a clock) hours passing; refusals are
    part of the flow."""
    township, office = c.users["township"], c.users["establishment_office"]
    whistles = list(Whistle.objects.order_by("id"))
    choice = rng.choice(["raise", "raise", "route", "step", "step", "step", "step", "dispute", "decide",
                         "confirm", "return", "close", "reopen", "fold"] + (["overdue", "time"] if clock else []))
    if choice == "fold":  # the sweep's tick, between any two actions
        return lambda: fold(limit=rng.choice([1, 2, 5000]))
    if choice == "overdue":  # the same tick's count of the whistles overdue since the last one
        return lambda: count_overdue(timezone.now(), limit=rng.choice([1, 2, 5000]))
    if choice == "time":  # hours (or days) pass: deadlines go by between two ticks
        return lambda: clock.advance(hours=rng.choice([1, 3, 9, 30, 80]))
    if choice == "raise" or not whistles:
        return lambda: services.whistle_raise(
            actor=township, item_code=rng.choice(["CS-ZR-01", "CS-HB-01", "CS-SJ-01", None]),
            village_code=c.villages[rng.choice([0, 1])].code, description="随机流程里的一次吹哨")
    w = rng.choice(whistles)
    if choice == "route":
        lead = rng.choice(["D-ZR", "D-HB", "D-SJ-01", "T02", "T02-01"])
        assist = rng.choice([[], ["D-SJ"], ["T02-01"]])
        return lambda: services.whistle_route_manually(actor=office, whistle_id=w.pk, lead_code=lead,
                                                       assist_codes=assist)
    dispatches = list(Dispatch.objects.filter(whistle=w).select_related("organisation"))
    if choice in ("step", "dispute") and dispatches:
        d = rng.choice(dispatches)
        user = staff(d.organisation) if d.organisation.kind not in ("township", "township_office") else (
            c.users["township_other"])
        if choice == "dispute":
            return lambda: services.dispatch_dispute(actor=user, dispatch_id=d.pk, reason="非我单位职责")
        step = {"dispatched": lambda: services.dispatch_respond(actor=user, dispatch_id=d.pk),
                "responded": lambda: services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="张三"),
                "arrived": lambda: services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved",
                                                             note="已处置")}
        return step.get(d.status, lambda: services.dispatch_respond(actor=user, dispatch_id=d.pk))
    if choice == "decide":
        dispute = Dispute.objects.filter(status="pending").order_by("?").first()
        if dispute is not None:
            decision = rng.choice(["keep", "reroute"])
            org = rng.choice(["D-ZR", "D-HB", "D-SJ-01", "T02", "T02-01"])
            return lambda: services.dispute_decide(actor=office, dispute_id=dispute.pk, decision=decision,
                                                   organisation_code=org if decision == "reroute" else None,
                                                   note="裁定")
    reasons = {"return": "未处置到位", "reopen": "问题复发"}
    act = {"confirm": services.whistle_confirm, "return": services.whistle_return, "close": services.whistle_close,
           "reopen": services.whistle_reopen}.get(choice, services.whistle_confirm)
    kwargs = {"reason": reasons[choice]} if choice in reasons else {}
    return lambda: act(actor=township, whistle_id=w.pk, **kwargs)


def overdue_by_definition() -> set[int]:
    """The whistles with a dispatch whose pending step is past its deadline now (core.clocks' rule, row by row)."""
    late = Dispatch.objects.filter(DISPATCH_CLOCKS.overdue_q(timezone.now()), whistle_id=OuterRef("pk"))
    return set(Whistle.objects.filter(Exists(late)).values_list("pk", flat=True))


def earliest_by_definition() -> dict[int, object]:
    """Each whistle's earliest pending deadline on a running clock, from its dispatches in Python."""
    out: dict[int, object] = {}
    for d in Dispatch.objects.all():
        pending = DISPATCH_CLOCKS.pending(DISPATCH_CLOCKS.row(d))
        if pending is not None and pending[1] is not None:
            out[d.whistle_id] = min(out.get(d.whistle_id, pending[1]), pending[1])
    return out


@pytest.mark.parametrize("seed", [1, 2, 4, 5])
def test_given_random_flows_when_each_action_is_taken_then_the_counts_equal_a_recount(wcounty, clock, seed):
    rng = random.Random(seed)
    taken = refused = 0
    county = viewer_for(wcounty.users["establishment_office"])
    statuses: set[str] = set()
    for _ in range(200):
        call = _flow_step(wcounty, rng, clock)
        before = table()
        try:
            call()
            taken += 1
        except REFUSALS:
            refused += 1
            assert table() == before  # a refused action changes nothing
        statuses |= set(Whistle.objects.values_list("status", flat=True))
        stored = dict(Whistle.objects.exclude(overdue_from=None).values_list("pk", "overdue_from"))
        assert stored == earliest_by_definition(), f"overdue_from after step {taken + refused}"
        assert selectors.overdue_count(county) == len(overdue_by_definition())
        with transaction.atomic():  # recount folds what is pending first: look, then leave the flow as it was
            assert recount() == {}, f"drift after step {taken + refused}"
            transaction.set_rollback(True)
    assert taken > 40 and refused > 5 and len(statuses) >= 3  # the flows went somewhere
    assert Whistle.objects.filter(overdue_counted=True).exists()  # the ticks counted overdue whistles
    assert WhistleCount.objects.filter(kind="org", scope_id=Organisation.objects.get(code="D-SJ").pk).exists() \
        or not Dispatch.objects.filter(organisation__code__in=["D-SJ", "D-SJ-01"]).exists()


def test_given_counts_that_drifted_when_reconciling_then_the_drift_is_reported_and_repaired(wcounty, capsys):
    for item in ("CS-ZR-01", "CS-HB-01", None):
        services.whistle_raise(actor=wcounty.users["township"], item_code=item,
                               village_code=wcounty.villages[0].code, description="油烟直排")
    assert fold() == 3
    right = table()
    WhistleCount.objects.filter(kind="all", status="open").update(n=99)
    Whistle.objects.filter(item__isnull=True).update(status="closed")  # a write past the services
    call_command("reconcile_whistle_counts")
    out = capsys.readouterr().out
    assert "all:0 open kept=99 counted=2" in out and "all:0 routing kept=1 counted=0" in out
    assert table() != right and recount() == {}
    call_command("reconcile_whistle_counts")
    assert capsys.readouterr().out.strip() == "no drift"
    Whistle.objects.exclude(overdue_from=None).update(overdue_from=None)  # deadlines lost past the services
    call_command("reconcile_whistle_counts")
    assert "2 whistles' earliest deadline differed from their dispatches; set again" in capsys.readouterr().out
    assert recount() == {} and Whistle.objects.exclude(overdue_from=None).count() == 2


def _run_flows(wcounty, *, seed: int, steps: int) -> None:
    """`steps` random actions of the flows; the refused ones change nothing and are skipped."""
    rng = random.Random(seed)
    for _ in range(steps):
        try:
            _flow_step(wcounty, rng)()
        except REFUSALS:
            pass


def _counted(viewer, **filters):
    qs = selectors.board(viewer, **filters).filter(status__in=selectors.BOARD_STATUSES).order_by()
    return dict.fromkeys(selectors.BOARD_STATUSES, 0) | dict(
        qs.values("status").annotate(n=Count("id")).values_list("status", "n"))


@pytest.mark.parametrize("who,kind", [("leader", "all"), ("establishment_office", "all"), ("department", "org"),
                                      ("department_other", "org"), ("station", "org"), ("township", "tview"),
                                      ("township_other", "tview")])
def test_given_flows_when_each_role_opens_the_board_then_its_cards_are_the_table_and_equal_the_rows(
        wcounty, who, kind, django_assert_max_num_queries):
    _run_flows(wcounty, seed=7, steps=80)
    viewer = viewer_for(wcounty.users[who])
    assert selectors.count_scope(viewer) is not None and selectors.count_scope(viewer)[0] == kind
    counts, _overdue = selectors.board_counts(viewer)
    assert counts == _counted(viewer)
    assert sum(counts.values()) > 0 or who in ("station",)
    from tiaokuai.whistles.todo import home_cards

    assert home_cards(viewer)[0]["value"] == _counted(viewer)["open"]  # the workbench's card reads the same
    if kind == "all":
        t = wcounty.townships[0]
        assert selectors.count_scope(viewer, township=t.code) == ("town", t.pk)
        assert selectors.board_counts(viewer, township=t.code)[0] == _counted(viewer, township=t.code)
        assert selectors.count_scope(viewer, domain="ZRZY") is None  # other filters: counted from the rows


def test_given_a_raise_when_it_commits_then_it_writes_no_counts_and_the_boards_count_it_until_the_fold(wcounty):
    viewer = viewer_for(wcounty.users["establishment_office"])
    before = table()
    w = services.whistle_raise(actor=wcounty.users["township"], item_code="CS-ZR-01",
                               village_code=wcounty.villages[0].code, description="油烟直排")
    assert table() == before and not Whistle.objects.get(pk=w.pk).in_counts
    assert selectors.board_counts(viewer)[0] == _counted(viewer)
    assert selectors.board_counts(viewer)[0]["open"] == 1
    assert fold() == 1 and fold() == 0
    assert Whistle.objects.get(pk=w.pk).in_counts and table()[("all", 0, "open")] == 1
    assert selectors.board_counts(viewer)[0] == _counted(viewer)  # counted once, not twice


def test_given_a_whistle_not_folded_yet_when_it_moves_then_the_fold_counts_it_where_it_is(wcounty):
    w = services.whistle_raise(actor=wcounty.users["township"], item_code=None,
                               village_code=wcounty.villages[0].code, description="不在清单上的事")
    services.whistle_route_manually(actor=wcounty.users["establishment_office"], whistle_id=w.pk, lead_code="D-HB",
                                    assist_codes=["D-SJ"])
    assert table() == {}  # nothing counted before the fold: the route left the table alone
    assert fold() == 1
    assert recount() == {}
    assert table()[("all", 0, "open")] == 1 and ("all", 0, "routing") not in table()


def test_the_fold_is_a_registered_sweep():
    from tiaokuai.core import sweeps

    assert "whistles.counts" in sweeps.registered()


@pytest.mark.parametrize("who", ["leader", "department", "department_other", "station", "township",
                                 "township_other"])
def test_given_days_pass_after_the_flows_when_each_role_opens_the_board_then_the_overdue_card_equals_the_rows(
        wcounty, clock, who):
    """The card reads the counts' overdue row plus the whistles overdue since the last tick (selectors.overdue_count);
    the list filters the rows: the two must agree for every kind of viewer, before the tick and after it."""
    _run_flows(wcounty, seed=11, steps=60)
    clock.advance(days=10)
    viewer = viewer_for(wcounty.users[who])
    rows = selectors.board(viewer, overdue=True).order_by().count()
    assert selectors.count_scope(viewer) is not None
    assert selectors.overdue_count(viewer) == rows == selectors.board_counts(viewer)[1]
    assert rows > 0 or who == "station"
    assert count_overdue(timezone.now()) > 0 and table().get(("all", 0, "overdue"), 0) > 0
    assert selectors.overdue_count(viewer) == rows  # now from the counts table: counted once, not twice
    clock.advance(days=10)
    assert selectors.overdue_count(viewer) == selectors.board(viewer, overdue=True).order_by().count()
