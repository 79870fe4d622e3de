"""The hotline operator (role `hotline`): takes calls on the hotline form, works the callback queue and sees what
that needs (requests taken on the hotline, closed requests, their own) — but does not route, close, return,
merge or confirm, and does not see other open requests; their own workbench to-do; the command centre keeps
everything it had. Refused actions change nothing."""

import pytest
from django.test import Client

from tests.factories import make_user
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.core.registry import todo_sources
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import Request

from .test_services import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def hot(rcounty):
    rcounty.users["hotline"] = make_user("rexian", "孙话务", rcounty.departments["D-BB"], "hotline")
    return rcounty


def take(c, actor_key="hotline", **kw):
    args = {"actor": c.users[actor_key], "channel": "hotline", "description": "有人在耕地上建房",
            "village_code": c.villages[0].code, "citizen_name": "李四", "citizen_phone": "13900001111",
            "matter_code": "ZR-001"}
    args.update(kw)
    return services.request_submit(**args)


def closed(c, **kw):
    r = take(c, **kw)
    d = r.dispatches.get()
    services.dispatch_accept(actor=c.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=c.users["department"], dispatch_id=d.pk, outcome="resolved", note="已处理")
    services.request_close(actor=c.users["operator"], request_id=r.pk)
    r.refresh_from_db()
    return r


def web(c):
    return services.request_submit(actor=None, channel="web", description="小区门口路灯坏了", citizen_phone="13812345678",
                                   village_code=c.villages[0].code)


def test_given_a_hotline_operator_when_taking_a_call_then_the_request_is_on_the_hotline_and_dispatched(hot):
    r = take(hot)
    assert r.channel == "hotline" and r.status == "dispatched" and r.submitted_by == hot.users["hotline"]
    answered = take(hot, answered_on_spot=True, answer="已告知办理地点", matter_code="")
    assert answered.status == "resolved" and answered.outcome == "answered_on_spot"


def test_given_a_closed_request_when_the_hotline_operator_calls_back_then_the_callback_is_recorded(hot):
    r = closed(hot, actor_key="operator")
    viewer = viewer_for(hot.users["hotline"])
    assert r in selectors.callbacks_due(viewer)
    contact = services.request_reveal_contact(actor=hot.users["hotline"], request_id=r.pk, purpose="回访")
    assert contact["citizen_phone"] == "13900001111"
    services.request_callback(actor=hot.users["hotline"], request_id=r.pk, satisfaction="basic", comment="还行")
    r.refresh_from_db()
    assert r.satisfaction == "basic" and r.callback_comment == "还行"
    assert r not in selectors.callbacks_due(viewer)


@pytest.mark.parametrize("action", ["route", "close", "return", "merge", "confirm"])
def test_given_a_hotline_operator_when_doing_the_command_centres_work_then_404_and_nothing_changes(hot, action):
    waiting = web(hot)
    answered = take(hot, actor_key="operator")
    d = answered.dispatches.get()
    services.dispatch_accept(actor=hot.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=hot.users["department"], dispatch_id=d.pk, outcome="resolved", note="已处理")
    spot = take(hot, answered_on_spot=True, answer="已答复", matter_code="")
    user = hot.users["hotline"]
    calls = {
        "route": lambda: services.request_route(actor=user, request_id=waiting.pk, matter_code="ZR-001"),
        "close": lambda: services.request_close(actor=user, request_id=answered.pk),
        "return": lambda: services.request_return(actor=user, request_id=answered.pk, reason="不行"),
        "merge": lambda: services.request_merge(actor=user, request_id=answered.pk, into_number=waiting.number),
        "confirm": lambda: services.request_confirm_outcome(actor=user, request_id=spot.pk),
    }
    before = snapshot()
    with pytest.raises(NotFound):
        calls[action]()
    assert snapshot() == before


def test_given_a_hotline_operator_when_listing_then_hotline_closed_and_own_requests_only(hot):
    other_web = web(hot)  # open, taken on the web: not theirs to see
    mine = take(hot)
    by_centre = take(hot, actor_key="operator")  # on the hotline: they may be asked about it
    done = closed(hot, actor_key="operator")
    grid = services.request_submit(actor=hot.users["grid_worker"], channel="grid", description="河道垃圾堆放",
                                   village_code=hot.villages[0].code)
    seen = set(selectors.request_list(viewer_for(hot.users["hotline"])))
    assert seen == {mine, by_centre, done}
    assert other_web not in seen and grid not in seen
    with pytest.raises(NotFound):
        services.request_reveal_contact(actor=hot.users["hotline"], request_id=other_web.pk, purpose="回访")
    # the command centre keeps the whole county
    assert set(selectors.request_list(viewer_for(hot.users["operator"]))) == set(Request.objects.all())


def test_given_the_pages_when_a_hotline_operator_opens_them_then_hotline_form_and_callbacks_but_not_supervision(hot):
    done = closed(hot, actor_key="operator")
    other = web(hot)
    c = Client()
    c.force_login(hot.users["hotline"])
    assert c.get("/intake/hotline/").status_code == 200
    page = c.get("/intake/callbacks/")
    assert page.status_code == 200 and done.number in page.content.decode()
    assert c.get(f"/intake/{done.pk}/").status_code == 200
    assert c.get(f"/intake/{other.pk}/").status_code == 404
    for url in ("/intake/supervision/", "/intake/figures/", "/intake/supervision/items/"):
        assert c.get(url).status_code in (403, 404), url
    # a refused action through the page changes nothing
    before = snapshot()
    c.post(f"/intake/{done.pk}/route/", {"matter": "ZR-001"})
    assert snapshot() == before
    # other roles cannot take calls
    t = Client()
    t.force_login(hot.users["township"])
    assert t.get("/intake/hotline/").status_code == 404


def test_given_callbacks_due_when_the_hotline_operator_opens_the_workbench_then_their_own_to_do(hot):
    done = closed(hot, actor_key="operator")
    groups = [g for source in todo_sources() for g in source(viewer_for(hot.users["hotline"]), 5)]
    titles = [str(g.label) for g in groups]
    assert len(groups) == 1 and groups[0].total == 1 and done.number in groups[0].items[0].title, titles
    # the command centre sees its own groups, not the hotline's a second time
    centre = [g for source in todo_sources() for g in source(viewer_for(hot.users["operator"]), 5)]
    assert sum(1 for g in centre if g.url == groups[0].url) == 1


def test_given_the_api_when_a_hotline_operator_takes_a_call_and_calls_back_then_it_may_but_not_close(hot, api):
    from tiaokuai.intake.models import Request as R

    me = api(hot.users["hotline"])
    resp = me.post("/api/v1/requests", {"channel": "hotline", "description": "耕地上建房", "matter": "ZR-001",
                                        "village": hot.villages[0].code, "citizen_phone": "13900001111"})
    assert resp.status_code == 201, resp.content
    assert me.post("/api/v1/requests", {"channel": "grid", "description": "河道垃圾", "village": hot.villages[0].code,
                                        }).status_code == 404
    done = closed(hot, actor_key="operator")
    before = R.objects.values().get(pk=done.pk)
    assert me.post(f"/api/v1/requests/{done.pk}/close").status_code in (404, 409)
    assert R.objects.values().get(pk=done.pk) == before
    assert me.post(f"/api/v1/requests/{done.pk}/callback", {"satisfaction": "satisfied"}).json()["satisfaction"] == (
        "satisfied")
