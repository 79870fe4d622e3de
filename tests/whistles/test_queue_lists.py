"""Issue 11: the dispatch inbox and the county board on the one list pattern (core.listing) — search, filters,
sortable columns with the queue's own order as the default, keyset paging where the sort allows, an xlsx of what
is filtered, an empty state that says what to do."""

import io

import pytest
from openpyxl import load_workbook

from tests.whistles.test_views import raise_one, wl  # noqa: F401  (fixtures)
from tiaokuai.core.access import viewer_for
from tiaokuai.core.listing import XLSX_TYPE
from tiaokuai.whistles import selectors

pytestmark = pytest.mark.django_db


def _rows(html: str, attr: str) -> list[str]:
    import re

    return re.findall(rf'<tr {attr}="(\d+)"', html)


def _sheet(resp):
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_TYPE
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows()]


@pytest.fixture
def three(wl):  # noqa: F811
    ws = [raise_one(wl, description=f"第{i}处占地，联系人13812345678", village=i % 2) for i in range(3)]
    return wl, ws


def test_given_dispatches_when_the_inbox_opens_then_the_least_time_left_comes_first_as_the_selector_orders(
        three, login):
    c, _ = three
    user = c.users["department"]
    html = login(user).get("/whistles/inbox/").content.decode()
    expected = [str(d.pk) for d in selectors.dispatch_inbox(viewer_for(user))]
    assert _rows(html, "data-dispatch") == expected and len(expected) == 3
    assert 'aria-sort="ascending"' in html and 'data-sort="due"' in html  # the deadline column shows the sort
    assert 'data-paging="cursor"' not in html  # one page: no paging links


def test_given_a_sort_on_the_whistle_number_when_asked_then_sorted_and_paged_by_page_number(three, login, settings):
    c, ws = three
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 2}
    client = login(c.users["department"])
    html = client.get("/whistles/inbox/", {"sort": "-number"}).content.decode()
    by_number = sorted(ws, key=lambda w: w.number, reverse=True)
    assert html.index(by_number[0].number) < html.index(by_number[1].number)
    assert by_number[2].number not in html
    assert "page=2" in html  # not a cursor: the sort is on the whistle's column
    keyset = client.get("/whistles/inbox/", {"sort": "-due"}).content.decode()
    assert 'data-paging="cursor"' in keyset  # the dispatch's own column: by cursor


def test_given_a_search_when_filtering_the_inbox_then_only_the_match_and_the_filtered_empty_state(three, login):
    c, ws = three
    client = login(c.users["department"])
    html = client.get("/whistles/inbox/", {"q": ws[1].number}).content.decode()
    assert ws[1].number in html and ws[0].number not in html and ws[2].number not in html
    empty = client.get("/whistles/inbox/", {"q": "没有这个"}).content.decode()
    assert 'id="list-empty"' in empty and "没有符合筛选条件的待办派单" in empty
    assert client.get("/whistles/inbox/", {"status": "disputed"}).content.decode().count("<tr data-dispatch") == 0


def test_given_nothing_waiting_when_the_inbox_opens_then_it_says_what_will_appear(wl, login):  # noqa: F811
    html = login(wl.users["department"]).get("/whistles/inbox/").content.decode()
    assert "本部门暂无待办" in html and "乡镇就本部门牵头或配合的事项吹哨后" in html


def test_given_a_filter_when_exporting_the_inbox_then_the_xlsx_holds_the_filtered_rows_in_order(three, login):
    c, ws = three
    resp = login(c.users["department"]).get("/whistles/inbox/", {"q": ws[2].number, "format": "xlsx"})
    rows = _sheet(resp)
    assert rows[0][:3] == ["当前时限", "截止时间", "编号"]
    assert [r[2] for r in rows[1:]] == [ws[2].number]
    assert rows[1][-1] == "县自然资源局"


def test_given_a_township_when_its_inbox_is_filtered_by_role_then_only_that_role(three, login):
    c, _ = three
    resp = login(c.users["township"]).get("/whistles/inbox/", {"role": "assist"})
    assert resp.status_code == 200 and resp.content.decode().count("<tr data-dispatch") == 0


def test_given_a_search_when_filtering_the_board_then_the_match_and_the_tabs_still_count_the_work_in_hand(
        three, login):
    c, ws = three
    html = login(c.users["leader"]).get("/whistles/board/", {"q": ws[0].number}).content.decode()
    assert _rows(html, "data-whistle") == [str(ws[0].pk)]
    assert 'data-count="open">3<' in html  # the tabs: the filters, not the search
    assert 'href="?q=' in html and "status=open" in html  # a tab keeps the search and picks its state


def test_given_a_state_tab_when_followed_then_the_board_shows_that_state_and_marks_the_tab(three, login):
    c, ws = three
    client = login(c.users["leader"])
    html = client.get("/whistles/board/", {"status": "open"}).content.decode()
    assert len(_rows(html, "data-whistle")) == 3 and 'aria-current="true"' in html
    none = client.get("/whistles/board/", {"status": "confirmed"}).content.decode()
    assert _rows(none, "data-whistle") == [] and "请在上方选择其他状态" in none


def test_given_the_board_sorted_by_number_when_opened_then_ascending_and_the_header_says_so(three, login):
    c, ws = three
    html = login(c.users["leader"]).get("/whistles/board/", {"sort": "number"}).content.decode()
    assert _rows(html, "data-whistle") == [str(w.pk) for w in sorted(ws, key=lambda w: w.number)]
    assert 'aria-sort="ascending"' in html


def test_given_the_board_when_exported_then_the_filtered_whistles_with_phone_numbers_masked(three, login):
    c, ws = three
    rows = _sheet(login(c.users["leader"]).get("/whistles/board/", {"q": ws[1].number, "format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [ws[1].number]
    assert "13812345678" not in rows[1][-1] and "第1处占地" in rows[1][-1]


def test_given_a_department_when_opening_the_board_unmasked_without_the_permission_then_403_and_nothing_written(
        three, login):
    from tiaokuai.core.models import AuditEvent

    c, _ = three
    before = AuditEvent.objects.count()
    resp = login(c.users["department"]).get("/whistles/board/", {"format": "xlsx", "unmasked": "1",
                                                                   "purpose": "核对"})
    assert resp.status_code == 403 and AuditEvent.objects.count() == before
