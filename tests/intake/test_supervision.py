"""Supervision (督查) and escalating interviews (约谈): findings open from the ladder's top, repeated returns,
"not satisfied" (by the county's rule) and false completions; repeated findings for a unit escalate level by
level (contact leader → discipline secretary → principal leaders with public notice); the rectification is
clocked. Refused actions change nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import Interview, Request, SupervisionItem
from tiaokuai.intake.sweeps import LADDER

from .conftest import TZ

pytestmark = pytest.mark.django_db


def hotline(c, **kw):
    args = {"actor": c.users["operator"], "channel": "hotline", "description": "有人在耕地上建房",
            "village_code": c.villages[0].code, "citizen_phone": "13900001111", "matter_code": "ZR-001"}
    args.update(kw)
    return services.request_submit(**args)


def answered(c, **kw):
    r = hotline(c, **kw)
    d = r.dispatches.get()
    services.dispatch_accept(actor=c.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=c.users["department"], dispatch_id=d.pk, outcome="resolved")
    return Request.objects.get(pk=r.pk)


def state():
    return (list(SupervisionItem.objects.order_by("pk").values()), list(Interview.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def test_given_a_request_overdue_at_the_top_of_the_ladder_then_a_supervision_item_opens_once(rcounty, clock):
    r = hotline(rcounty, kind="life_property")
    for minutes in (31, 61, 61):
        clock.advance(minutes=minutes)
        LADDER.run(clock.now)
    item = SupervisionItem.objects.get()
    assert item.request == r and item.reason == "overdue" and item.organisation.code == "D-ZR"
    assert AuditEvent.objects.filter(action="intake.supervision_open", object_id=str(r.pk)).count() == 1
    clock.advance(days=1)
    LADDER.run(clock.now)
    assert SupervisionItem.objects.count() == 1


def test_given_an_answer_returned_twice_then_a_supervision_item_opens(rcounty, clock):
    r = answered(rcounty)
    sup = rcounty.users["supervisor"]
    services.request_return(actor=sup, request_id=r.pk, reason="不够")
    assert not SupervisionItem.objects.exists()
    d = r.dispatches.get()
    services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved")
    services.request_return(actor=sup, request_id=r.pk, reason="还是不够")
    assert SupervisionItem.objects.get().reason == "returns"


def test_given_a_not_satisfied_callback_then_by_the_county_rule_a_supervision_item_opens(rcounty, clock, settings):
    op = rcounty.users["operator"]
    r = answered(rcounty)
    services.request_close(actor=op, request_id=r.pk)
    services.request_callback(actor=op, request_id=r.pk, satisfaction="unsatisfied", comment="没解决", not_solved=True)
    assert set(SupervisionItem.objects.values_list("reason", flat=True)) == {"unsatisfied", "false_completion"}
    settings.TIAOKUAI = {**settings.TIAOKUAI, "INTAKE_UNSATISFIED_TO_SUPERVISION": False}
    r2 = answered(rcounty)
    services.request_close(actor=op, request_id=r2.pk)
    services.request_callback(actor=op, request_id=r2.pk, satisfaction="unsatisfied", comment="态度不好")
    assert not SupervisionItem.objects.filter(request=r2).exists()
    assert Request.objects.get(pk=r2.pk).status == "dispatched"  # it still reopens


def _finding(c):
    r = answered(c)
    services.request_close(actor=c.users["operator"], request_id=r.pk)
    services.request_callback(actor=c.users["operator"], request_id=r.pk, satisfaction="unsatisfied", comment="没解决")
    return r


def interview(c, day, **kw):
    args = {"actor": c.users["supervisor"], "organisation_code": "D-ZR", "held_on": day, "attendees": "张局长、李书记",
            "minutes": "通报超时情况", "rectification": "一周内完成整改"}
    args.update(kw)
    return services.interview_record(**args)


def test_given_repeated_findings_for_a_unit_then_interviews_escalate_level_by_level(rcounty, clock):
    before = state()
    with pytest.raises(Invalid):  # no findings yet
        interview(rcounty, dt.date(2026, 11, 20))
    assert state() == before
    levels = []
    for day in (dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 11, 22)):
        _finding(rcounty)
        iv = interview(rcounty, day)
        levels.append((iv.level, iv.public_notice))
        assert iv.items.count() == 1
    assert levels == [(1, False), (2, False), (3, True)]
    first = Interview.objects.order_by("held_on").first()
    # 30 natural days from the 20th: the 20th of December (a Sunday) rolls over to Monday the 21st, end of day
    assert first.rectify_by == dt.datetime(2026, 12, 21, 23, 59, 59, 999999, tzinfo=TZ)
    _finding(rcounty)
    assert interview(rcounty, dt.date(2026, 11, 23)).level == 3  # stays at the top
    with pytest.raises(Invalid):  # every finding is covered by an interview now
        interview(rcounty, dt.date(2026, 11, 23))


def test_given_an_interview_when_the_rectification_is_done_then_recorded_once(rcounty, clock):
    _finding(rcounty)
    iv = interview(rcounty, dt.date(2026, 11, 20))
    before = state()
    for who in ("operator", "department", "establishment_office"):
        with pytest.raises(NotFound):
            services.interview_rectified(actor=rcounty.users[who], interview_id=iv.pk)
    assert state() == before
    services.interview_rectified(actor=rcounty.users["supervisor"], interview_id=iv.pk, note="已整改")
    assert Interview.objects.get(pk=iv.pk).status == "rectified"
    with pytest.raises(Conflict):
        services.interview_rectified(actor=rcounty.users["supervisor"], interview_id=iv.pk)


def test_given_someone_other_than_the_supervision_office_then_refused_and_nothing_changes(rcounty, clock):
    _finding(rcounty)
    item = SupervisionItem.objects.get()
    before = state()
    for who in ("operator", "department", "leader", "township"):
        with pytest.raises(NotFound):
            interview(rcounty, dt.date(2026, 11, 20), actor=rcounty.users[who])
        with pytest.raises(NotFound):
            services.supervision_close(actor=rcounty.users[who], item_id=item.pk, note="x")
    with pytest.raises(Invalid):
        services.supervision_close(actor=rcounty.users["supervisor"], item_id=item.pk, note="")
    with pytest.raises(Invalid):
        interview(rcounty, dt.date(2030, 1, 1))
    assert state() == before
    services.supervision_close(actor=rcounty.users["supervisor"], item_id=item.pk, note="已约谈并跟进")
    assert SupervisionItem.objects.get().status == "closed"


def test_given_the_pages_then_the_supervision_office_sees_open_items_units_and_a_units_history(rcounty, clock, login):
    r = _finding(rcounty)
    c = login(rcounty.users["supervisor"])
    page = c.get(reverse("intake:supervision_items")).content.decode()
    assert r.number in page and "县自然资源局" in page
    org = rcounty.departments["D-ZR"]
    c.post(reverse("intake:supervision_action", args=[org.pk, "interview"]), {
        "held_on": "2026-11-20", "attendees": "张局长", "minutes": "约谈", "rectification": "整改"})
    iv = Interview.objects.get()
    page = c.get(reverse("intake:supervision_unit", args=[org.pk])).content.decode()
    assert "联系" in page or "L1" in page
    assert r.number in page
    assert login(rcounty.users["operator"]).get(reverse("intake:supervision_unit", args=[org.pk])).status_code == 404
    assert [u["next_level"] for u in selectors.unit_summaries(selectors.viewer_of(rcounty.users["supervisor"]))] == [2]
    assert iv.level == 1
