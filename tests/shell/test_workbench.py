"""The workbench (工作台): each role's to-do from the registered sources, overdue first, one click from the action;
counts linking to filtered lists; recent notifications; one menu item highlighted."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.whistles.test_views import lead, make_whistle_list, raise_one
from tiaokuai.core import registry
from tiaokuai.core.access import viewer_for
from tiaokuai.notify.models import Notification
from tiaokuai.shell import selectors
from tiaokuai.shell.navigation import nav_for
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispatch


@pytest.fixture
def wl(county):
    make_whistle_list(county)
    return county


def todo_html(client) -> str:
    """The to-do part of the home page (the notifications beside it may name the same whistles)."""
    html = client.get("/").content.decode()
    return html[html.index('id="todo"'):html.index('id="shortcuts"')].split('id="recent-notifications"')[0]


def finish(whistle, user):
    d = lead(whistle)
    services.dispatch_respond(actor=user, dispatch_id=d.pk)
    services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="李自然")
    services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved", note="")
    return d


def test_given_a_dispatch_when_the_department_opens_home_then_it_is_on_the_to_do_with_time_left_and_accept(wl, login):
    whistle = raise_one(wl)
    d = lead(whistle)
    html = login(wl.users["department"]).get("/").content.decode()
    assert "工作台" in html and "我的待办" in html
    assert whistle.number in html and "待接单" in html
    assert f'href="/whistles/{whistle.pk}/#dispatch-{d.pk}"' in html  # one click from the accept button
    assert ">接单</a>" in html
    assert "还剩" in html  # the countdown as text
    assert 'href="/whistles/inbox/"' in html  # the count opens the inbox


def test_given_an_overdue_and_a_fresh_dispatch_when_home_opens_then_the_overdue_one_comes_first(wl):
    fresh = raise_one(wl)
    late = raise_one(wl, description="另一处违法占用耕地建房")
    past = timezone.now() - dt.timedelta(days=3)
    Dispatch.objects.filter(whistle=late).update(respond_by=past)
    work = selectors.workbench(viewer_for(wl.users["department"]))
    assert [i.title.split()[0] for i in work["items"]] == [late.number, fresh.number]
    assert work["items"][0].overdue and work["items"][0].css == "status-overdue"
    assert work["overdue"] == 1 and work["total"] == 2


def test_given_a_dispatch_to_one_department_when_another_opens_home_then_nothing_of_it_shows(wl, login):
    whistle = raise_one(wl)
    html = todo_html(login(wl.users["department_other"]))
    assert whistle.number not in html and "暂无待办" in html


def test_given_finished_whistle_when_the_township_opens_home_then_confirm_then_rate(wl, login):
    whistle = raise_one(wl)
    finish(whistle, wl.users["department"])
    client = login(wl.users["township"])
    html = client.get("/").content.decode()
    assert "待确认" in html and f'/whistles/{whistle.pk}/#whistle-actions' in html
    assert 'href="/whistles/?status=resolved"' in html
    assert whistle.number not in todo_html(login(wl.users["township_other"]))

    services.whistle_confirm(actor=wl.users["township"], whistle_id=whistle.pk)
    html = client.get("/").content.decode()
    assert "待评价" in html and f'/whistles/{whistle.pk}/#rate-form' in html and "待确认吹哨" not in html
    assert 'href="/whistles/?todo=rate"' in html


def test_given_a_whistle_off_the_list_and_a_dispute_when_the_office_opens_home_then_route_and_decide(wl, login):
    off_list = services.whistle_raise(actor=wl.users["township"], item_code=None, village_code=wl.villages[0].code,
                                      description="不在清单内的问题")
    disputed = raise_one(wl)
    services.dispatch_dispute(actor=wl.users["department"], dispatch_id=lead(disputed).pk, reason="不属于本部门")
    html = login(wl.users["establishment_office"]).get("/").content.decode()
    assert "待分派" in html and f"/whistles/{off_list.pk}/#route-form" in html
    assert "待裁定" in html and f"/whistles/disputes/#dispute-{lead(disputed).pk}" in html
    # the department's disputed dispatch is no longer on its to-do (the office has it)
    assert disputed.number not in todo_html(login(wl.users["department"]))


def test_given_a_registered_source_when_home_opens_then_its_items_are_merged(wl, login, monkeypatch):
    monkeypatch.setattr(registry, "_TODO", dict(registry._TODO))
    due = timezone.now() - dt.timedelta(hours=1)

    def certificates(viewer, limit):
        if "department" not in viewer.roles:
            return []
        return [registry.TodoGroup("即将到期的执法证", 1, "/org/certificates/", 1, (registry.TodoItem(
            kind="待换证", title="执法证 330001", url="/org/certificates/", action="换证", due=due,
            due_label="已过期 1 小时", css="status-overdue", overdue=True),))]

    registry.register_todo("test-certificates", certificates, order=1)
    raise_one(wl)
    work = selectors.workbench(viewer_for(wl.users["department"]))
    assert work["items"][0].title == "执法证 330001" and work["total"] == 2
    assert "执法证 330001" in login(wl.users["department"]).get("/").content.decode()
    assert not selectors.workbench(viewer_for(wl.users["township"]))["items"]


def test_given_notifications_when_home_opens_then_the_latest_are_listed(wl, login):
    raise_one(wl)  # notifies the department
    title = Notification.objects.filter(recipient=wl.users["department"]).latest("created_at").title
    html = login(wl.users["department"]).get("/").content.decode()
    assert "最新消息" in html and title in html


@pytest.mark.parametrize("role", ["grid_worker", "citizen", "leader", "station"])
def test_given_any_role_when_home_opens_then_a_workbench_with_something_to_do_or_say(wl, login, role):
    resp = login(wl.users[role]).get("/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "工作台" in html and ("todo-item" in html or "暂无待办" in html)
    assert 'id="shortcuts"' in html


def test_given_the_inbox_open_when_the_menu_is_drawn_then_only_the_inbox_is_highlighted(wl):
    sections = nav_for(viewer_for(wl.users["township"]), "/whistles/inbox/")
    active = [item["label"] for s in sections for item in s["items"] if item["active"]]
    assert [str(a) for a in active] == ["派单待办"]


def test_given_home_when_counted_then_queries_do_not_grow_with_the_to_do(wl, login):
    """Bounded by the rows shown (TODO_LIMIT): a longer to-do costs no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(selectors.TODO_LIMIT):
        raise_one(wl, description=f"第{i}处违法占用耕地")
    client = login(wl.users["department"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(10):
        raise_one(wl, description=f"第{i}处违法占用耕地建房")
    assert count() == few


def test_given_a_draft_list_version_when_the_office_opens_home_then_it_is_to_publish(wl, login):
    from tiaokuai.duties import services as duties_services

    draft = duties_services.release_start_draft(actor=wl.users["establishment_office"])
    html = todo_html(login(wl.users["establishment_office"]))
    assert "待发布草稿" in html and f'href="/lists/releases/{draft.pk}/"' in html and "核对并发布" in html
    assert "待发布草稿" not in todo_html(login(wl.users["department"]))


def test_given_an_expiring_certificate_when_the_office_and_its_holder_open_home_then_it_is_to_renew(wl, login):
    from tiaokuai.org.models import Certificate, Membership

    officer = wl.users["department"]
    Membership.objects.create(person=officer.person, organisation=wl.departments["D-ZR"], role="officer")
    today = timezone.localdate()
    cert = Certificate.objects.create(holder=officer.person, number="ZF-330001", issued_on=today - dt.timedelta(days=900),
                                      expires_on=today + dt.timedelta(days=20))
    from tiaokuai.core.access import clear_viewer_cache

    clear_viewer_cache()
    html = todo_html(login(wl.users["establishment_office"]))
    assert "执法证将到期" in html and f"/org/certificates/{cert.pk}/renew/" in html and "还有 20 天" in html
    assert 'href="/org/certificates/?state=expiring"' in html
    html = todo_html(login(officer))
    assert "ZF-330001" in html and "/renew/" not in html  # the holder is told; the office renews
    assert "ZF-330001" not in todo_html(login(wl.users["department_other"]))
