"""Whistle pages: who sees what, the action forms, conflicts, query counts."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from tiaokuai.core import worktime
from tiaokuai.core.models import AuditEvent
from tiaokuai.duties.models import ListRelease
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispatch, Dispute, Whistle, WhistleItem
from tiaokuai.whistles.services.counts import recount


def make_whistle_list(c):
    now = timezone.now()
    release = ListRelease.objects.create(kind="whistle", number=1, title="示范县吹哨清单（2026年版）",
                                         status="published", effective_from=dt.date(2026, 1, 1),
                                         created_at=now, published_at=now)
    WhistleItem.objects.create(release=release, code="CS-ZR-001", name="违法占用耕地建房", domain=c.domains["ZRZY"],
                               whistle_class="must", trigger="发现正在违法占地建房", matter_code="ZR-001")
    WhistleItem.objects.create(release=release, code="CS-HB-001", name="餐饮油烟扰民", domain=c.domains["STHJ"],
                               whistle_class="should", trigger="群众反复投诉油烟", matter_code="HB-001")
    services.clear_route_cache()
    return release


def raise_one(c, *, item="CS-ZR-001", user="township", village=0, description="村口有人违法占用耕地建房"):
    return services.whistle_raise(actor=c.users[user], item_code=item, village_code=c.villages[village].code,
                                  description=description)


@pytest.fixture
def wl(county):
    make_whistle_list(county)
    return county


def lead(whistle):
    return whistle.dispatches.get(role="lead")


# ---------------------------------------------------------------- raise


def test_given_township_user_when_opening_raise_form_then_items_grouped_with_class_and_own_villages(wl, login):
    resp = login(wl.users["township"]).get("/whistles/raise/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert '<optgroup label="自然资源">' in html
    assert "CS-ZR-001" in html and "__none__" in html
    assert wl.villages[0].name in html and wl.villages[2].name not in html  # other township's villages hidden
    assert 'hx-get="/whistles/grids"' in html


@pytest.mark.parametrize("role", ["department", "establishment_office", "grid_worker"])
def test_given_other_role_when_opening_raise_form_then_404(wl, login, role):
    assert login(wl.users[role]).get("/whistles/raise/").status_code == 404


def test_given_anonymous_when_opening_raise_form_then_login_redirect(wl, client):
    resp = client.get("/whistles/raise/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_given_valid_form_when_raising_then_whistle_created_and_redirect_to_its_page(wl, login):
    photo = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    photo.name = "scene.png"
    resp = login(wl.users["township"]).post("/whistles/raise/", {
        "item": "CS-ZR-001", "village": wl.villages[0].code, "grid": wl.grids[0].code, "address": "村口",
        "description": "村口有人违法占用耕地建房", "urgency": "urgent", "photos": [photo]})
    whistle = Whistle.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/whistles/{whistle.pk}/"
    assert whistle.urgency == "urgent" and whistle.grid_id == wl.grids[0].pk
    assert whistle.dispatches.filter(role="lead", organisation__code="D-ZR").exists()


def test_given_missing_description_when_raising_then_error_beside_field_and_nothing_created(wl, login):
    resp = login(wl.users["township"]).post("/whistles/raise/", {
        "item": "CS-ZR-001", "village": wl.villages[0].code, "description": "", "urgency": "normal"})
    assert resp.status_code == 200
    assert 'id="id_description-error"' in resp.content.decode()
    assert Whistle.objects.count() == 0


def test_given_other_townships_village_when_raising_then_refused_and_nothing_created(wl, login):
    resp = login(wl.users["township"]).post("/whistles/raise/", {
        "item": "CS-ZR-001", "village": wl.villages[2].code, "description": "x", "urgency": "normal"})
    assert resp.status_code == 200 and Whistle.objects.count() == 0


def test_given_not_on_list_when_raising_then_whistle_waits_for_routing(wl, login):
    resp = login(wl.users["township"]).post("/whistles/raise/", {
        "item": "__none__", "village": wl.villages[0].code, "description": "河道里有不明漂浮物", "urgency": "normal"})
    assert resp.status_code == 302
    assert Whistle.objects.get().status == "routing"


def test_given_village_when_loading_grids_partial_then_only_its_grids(wl, login):
    client = login(wl.users["township"])
    html = client.get("/whistles/grids", {"village": wl.villages[0].code}).content.decode()
    assert wl.grids[0].code in html and wl.grids[1].code not in html
    other = client.get("/whistles/grids", {"village": wl.villages[2].code}).content.decode()
    assert wl.grids[2].code not in other


# ---------------------------------------------------------------- inbox and actions


def test_given_dispatch_when_department_opens_inbox_then_countdown_and_accept_button(wl, login):
    whistle = raise_one(wl)
    html = login(wl.users["department"]).get("/whistles/inbox/").content.decode()
    assert whistle.number in html
    assert "status-open" in html or "status-due-soon" in html
    assert f"/whistles/dispatches/{lead(whistle).pk}/respond/" in html


@pytest.mark.parametrize("role", ["establishment_office", "grid_worker"])  # townships: see test_territorial.py
def test_given_non_department_when_opening_inbox_then_404(wl, login, role):
    assert login(wl.users[role]).get("/whistles/inbox/").status_code == 404


def test_given_other_department_when_opening_inbox_then_not_listed(wl, login):
    whistle = raise_one(wl)
    assert whistle.number not in login(wl.users["department_other"]).get("/whistles/inbox/").content.decode()


def test_given_overdue_dispatch_when_opening_inbox_then_red_tag(wl, login):
    whistle = raise_one(wl)
    past = timezone.now() - dt.timedelta(days=10)
    Dispatch.objects.filter(whistle=whistle).update(respond_by=past, arrive_by=past, resolve_by=past)
    html = login(wl.users["department"]).get("/whistles/inbox/").content.decode()
    assert "status-overdue" in html


def test_given_double_accept_when_second_posts_then_conflict_message_and_no_change(wl, login):
    whistle = raise_one(wl)
    d = lead(whistle)
    client = login(wl.users["department"])
    url = f"/whistles/dispatches/{d.pk}/respond/"
    first = client.post(url, {"next": "/whistles/inbox/"}, follow=True)
    assert first.status_code == 200
    d.refresh_from_db()
    assert d.status == "responded"
    events = AuditEvent.objects.count()
    responded_at = d.responded_at
    second = client.post(url, {"next": "/whistles/inbox/"}, follow=True)
    assert second.status_code == 200
    assert 'alert-danger' in second.content.decode()
    d.refresh_from_db()
    assert d.status == "responded" and d.responded_at == responded_at
    assert AuditEvent.objects.count() == events


def test_given_other_department_when_posting_accept_then_404_and_nothing_changes(wl, login):
    whistle = raise_one(wl)
    d = lead(whistle)
    events = AuditEvent.objects.count()
    resp = login(wl.users["department_other"]).post(f"/whistles/dispatches/{d.pk}/respond/")
    assert resp.status_code == 404
    d.refresh_from_db()
    assert d.status == "dispatched" and AuditEvent.objects.count() == events


def test_given_whole_flow_through_pages_then_whistle_confirmed_and_rated(wl, login):
    whistle = raise_one(wl)
    d = lead(whistle)
    dept = login(wl.users["department"])
    assert dept.post(f"/whistles/dispatches/{d.pk}/respond/").status_code == 302
    dept.post(f"/whistles/dispatches/{d.pk}/arrive/", {"people": "李自然、执法队2人"})
    dept.post(f"/whistles/dispatches/{d.pk}/resolve/", {"outcome": "resolved", "note": "已责令停工"})
    whistle.refresh_from_db()
    assert whistle.status == "resolved"
    town = login(wl.users["township"])
    page = town.get(f"/whistles/{whistle.pk}/").content.decode()
    assert f"/whistles/{whistle.pk}/confirm/" in page
    town.post(f"/whistles/{whistle.pk}/confirm/")
    whistle.refresh_from_db()
    assert whistle.status == "confirmed"
    rate = {"dispatch": [d.pk], f"r{d.pk}-speed": "5", f"r{d.pk}-attitude": "4", f"r{d.pk}-result": "5"}
    town.post(f"/whistles/{whistle.pk}/rate/", rate)
    d.refresh_from_db()
    assert d.rating.attitude == 4


# ---------------------------------------------------------------- whistle page


def test_given_raising_township_when_opening_whistle_page_then_header_dispatches_and_timeline(wl, login):
    whistle = raise_one(wl)
    html = login(wl.users["township"]).get(f"/whistles/{whistle.pk}/").content.decode()
    assert whistle.number in html and "县自然资源局" in html and 'id="timeline"' in html
    assert "whistles.raise" in html or "whistles." in html


@pytest.mark.parametrize("role", ["township_other", "department_other", "citizen"])
def test_given_outsider_when_opening_whistle_page_then_404(wl, login, role):
    whistle = raise_one(wl)
    assert login(wl.users[role]).get(f"/whistles/{whistle.pk}/").status_code == 404
    assert login(wl.users[role]).get(f"/whistles/{whistle.pk}/accountability/").status_code == 404


def test_given_lead_department_when_opening_whistle_page_then_action_buttons(wl, login):
    whistle = raise_one(wl)
    html = login(wl.users["department"]).get(f"/whistles/{whistle.pk}/").content.decode()
    assert f"/whistles/dispatches/{lead(whistle).pk}/respond/" in html


# ---------------------------------------------------------------- board, disputes, items


def test_given_whistles_in_two_townships_when_filtering_board_by_township_then_only_that_one(wl, login):
    mine = raise_one(wl)
    other = raise_one(wl, user="township_other", village=2)
    client = login(wl.users["leader"])
    html = client.get("/whistles/board/").content.decode()
    assert mine.number in html and other.number in html
    html = client.get("/whistles/board/", {"township": wl.townships[1].code}).content.decode()
    assert mine.number not in html and other.number in html
    assert 'data-count="open"' in html


def test_given_overdue_filter_when_opening_board_then_only_overdue(wl, login):
    late = raise_one(wl)
    fresh = raise_one(wl, description="又有人占地")
    past = timezone.now() - dt.timedelta(days=10)
    Dispatch.objects.filter(whistle=late).update(respond_by=past, arrive_by=past, resolve_by=past)
    recount()  # deadlines written past the services: the whistles' earliest deadlines set again (ADR 0020)
    html = login(wl.users["leader"]).get("/whistles/board/", {"overdue": "on"}).content.decode()
    assert late.number in html and fresh.number not in html


@pytest.mark.parametrize("role", ["grid_worker", "citizen"])
def test_given_role_without_board_when_opening_board_then_404(wl, login, role):
    assert login(wl.users[role]).get("/whistles/board/").status_code == 404


def test_given_dispute_when_office_reroutes_then_new_department_called(wl, login):
    whistle = raise_one(wl)
    d = lead(whistle)
    login(wl.users["department"]).post(f"/whistles/dispatches/{d.pk}/dispute/", {"reason": "清单上不是我局主体责任"})
    dispute = Dispute.objects.get()
    office = login(wl.users["establishment_office"])
    html = office.get("/whistles/disputes/").content.decode()
    assert "清单上不是我局主体责任" in html
    resp = office.post(f"/whistles/disputes/{dispute.pk}/decide/", {
        f"d{dispute.pk}-decision": "reroute", f"d{dispute.pk}-organisation": "D-HB",
        f"d{dispute.pk}-note": "依清单第2版改派"})
    assert resp.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "rerouted"
    assert whistle.dispatches.filter(organisation__code="D-HB").exclude(status="withdrawn").exists()


@pytest.mark.parametrize("role", ["department", "township", "leader"])
def test_given_non_office_when_opening_disputes_then_404(wl, login, role):
    assert login(wl.users[role]).get("/whistles/disputes/").status_code == 404


def test_given_list_in_force_when_opening_items_then_by_domain_with_class_and_deadlines(wl, login):
    html = login(wl.users["grid_worker"]).get("/whistles/items/").content.decode()
    assert 'data-domain="ZRZY"' in html and "违法占用耕地建房" in html and "bg-red-lt" in html


def test_given_whistles_when_opening_list_then_only_visible_ones(wl, login):
    mine = raise_one(wl)
    other = raise_one(wl, item="CS-HB-001", user="township_other", village=2)
    calling = raise_one(wl, user="township_other", village=2)  # the list names 青石镇 (T01) to assist on ZR-001
    html = login(wl.users["township"]).get("/whistles/").content.decode()
    assert mine.number in html and other.number not in html and calling.number in html


# ---------------------------------------------------------------- query counts


@pytest.fixture
def cached_calendar(monkeypatch):
    """The calendar overrides are cached in production; tests switch the cache off. Pin the page's own reads."""
    monkeypatch.setattr(worktime, "_cache_seconds", lambda: 60)
    worktime.clear_cache()
    yield
    worktime.clear_cache()


def _inbox_queries(client, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(n):
        assert client.get("/whistles/inbox/").status_code == 200


def test_given_many_dispatches_when_opening_inbox_then_query_count_does_not_grow(
        wl, login, django_assert_max_num_queries, cached_calendar):
    for i in range(3):
        raise_one(wl, description=f"占地 {i}")
    client = login(wl.users["department"])
    client.get("/whistles/inbox/")  # warm the session and calendar caches
    _inbox_queries(client, django_assert_max_num_queries, 14)
    for i in range(12):
        raise_one(wl, description=f"更多占地 {i}")
    _inbox_queries(client, django_assert_max_num_queries, 14)


def test_given_many_whistles_when_opening_board_then_query_count_does_not_grow(
        wl, login, django_assert_max_num_queries, cached_calendar):
    for i in range(3):
        raise_one(wl, description=f"占地 {i}")
    client = login(wl.users["leader"])
    client.get("/whistles/board/")
    with django_assert_max_num_queries(16):
        assert client.get("/whistles/board/").status_code == 200
    for i in range(12):
        raise_one(wl, item="CS-HB-001", description=f"油烟 {i}")
    with django_assert_max_num_queries(16):
        assert client.get("/whistles/board/").status_code == 200


def test_given_whistle_not_on_list_when_office_routes_from_whistle_page_then_dispatched(wl, login):
    whistle = services.whistle_raise(actor=wl.users["township"], item_code=None, village_code=wl.villages[0].code,
                                     description="河道里有不明漂浮物")
    office = login(wl.users["establishment_office"])
    html = office.get(f"/whistles/{whistle.pk}/").content.decode()
    assert 'id="route-form"' in html
    resp = office.post(f"/whistles/{whistle.pk}/route/", {"lead": "D-HB", "assists": ["D-ZR"]})
    assert resp.status_code == 302
    whistle.refresh_from_db()
    assert whistle.status == "open"
    assert set(whistle.dispatches.values_list("organisation__code", "role")) == {("D-HB", "lead"), ("D-ZR", "assist")}


def test_given_township_other_when_posting_route_then_404_and_nothing_changes(wl, login):
    whistle = services.whistle_raise(actor=wl.users["township"], item_code=None, village_code=wl.villages[0].code,
                                     description="河道里有不明漂浮物")
    events = AuditEvent.objects.count()
    resp = login(wl.users["township_other"]).post(f"/whistles/{whistle.pk}/route/", {"lead": "D-HB"})
    assert resp.status_code in (302, 404)
    whistle.refresh_from_db()
    assert whistle.status == "routing" and whistle.dispatches.count() == 0 and AuditEvent.objects.count() == events


def test_given_raising_township_when_adding_photos_then_attached_and_downloadable_by_department_only(wl, login):
    whistle = raise_one(wl)
    photo = io.BytesIO(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    photo.name = "more.jpg"
    town = login(wl.users["township"])
    assert town.post(f"/whistles/{whistle.pk}/attach/", {"files": [photo]}).status_code == 302
    attachment = whistle.attachments.get()
    assert login(wl.users["department"]).get(f"/whistles/attachments/{attachment.pk}/").status_code == 200
    assert login(wl.users["township_other"]).get(f"/whistles/attachments/{attachment.pk}/").status_code == 404


def test_given_unknown_action_when_posting_then_404(wl, login):
    whistle = raise_one(wl)
    client = login(wl.users["department"])
    assert client.post(f"/whistles/{whistle.pk}/explode/").status_code == 404
    assert client.post(f"/whistles/dispatches/{lead(whistle).pk}/explode/").status_code == 404


@pytest.mark.parametrize("role,title", [("leader", "全县看板"), ("township", "本乡镇（街道）看板"),
                                        ("department", "本部门看板")])
def test_given_a_role_when_opening_the_board_then_its_title_says_whose_work_it_shows(wl, login, role, title):
    html = login(wl.users[role]).get("/whistles/board/").content.decode()
    assert f"<title>{title}" in html or f">{title}<" in html
    assert "全县看板" not in html or role == "leader"
