"""Issue 11: the intake work queues on the one list pattern (core.listing) — the request inbox (least time left
first), the overdue list of the supervision page (longest overdue first), the callback queue (oldest closing first)
and the supervision findings (newest first, open ones by default): search, filters, sortable columns, an xlsx of
what is filtered with the citizen's words masked, an empty state that says what to do."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tiaokuai.core.access import viewer_for
from tiaokuai.core.listing import XLSX_TYPE
from tiaokuai.core.models import AuditEvent
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import SupervisionItem

from .test_supervision import answered, hotline

pytestmark = pytest.mark.django_db


def _numbers(html: str, numbers) -> list[str]:
    """The given request numbers in the order the page shows them."""
    return sorted((n for n in numbers if n in html), key=html.index)


def _sheet(resp):
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_TYPE
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows()]


@pytest.fixture
def queue(rcounty, clock):
    rs = [hotline(rcounty, description=f"第{i}件：耕地上建房，电话13912345678", kind=kind)
          for i, kind in enumerate(["general", "life_property", "general"])]
    return rcounty, rs


def test_given_requests_when_the_inbox_opens_then_the_least_time_left_first_as_the_selector_orders(queue, login):
    c, rs = queue
    user = c.users["department"]
    html = login(user).get(reverse("intake:inbox")).content.decode()
    expected = [d.request.number for d in selectors.dispatch_inbox(viewer_for(user))]
    assert _numbers(html, [r.number for r in rs]) == expected and len(expected) == 3
    assert expected[0] == rs[1].number  # the life-and-property request has the shortest clock
    assert 'aria-sort="ascending"' in html and 'data-sort="due"' in html


def test_given_the_inbox_sorted_the_other_way_when_asked_then_the_most_time_left_first(queue, login):
    c, rs = queue
    html = login(c.users["department"]).get(reverse("intake:inbox"), {"sort": "-due"}).content.decode()
    assert _numbers(html, [r.number for r in rs])[-1] == rs[1].number and 'aria-sort="descending"' in html


def test_given_a_search_and_a_filter_when_narrowing_the_inbox_then_only_matches(queue, login):
    c, rs = queue
    client = login(c.users["department"])
    html = client.get(reverse("intake:inbox"), {"q": "第2件"}).content.decode()
    assert _numbers(html, [r.number for r in rs]) == [rs[2].number]
    html = client.get(reverse("intake:inbox"), {"kind": "life_property"}).content.decode()
    assert _numbers(html, [r.number for r in rs]) == [rs[1].number]
    empty = client.get(reverse("intake:inbox"), {"status": "disputed"}).content.decode()
    assert 'id="list-empty"' in empty and "没有符合筛选条件的诉求" in empty


def test_given_nothing_waiting_when_the_inbox_opens_then_it_says_what_will_appear(rcounty, clock, login):
    html = login(rcounty.users["department"]).get(reverse("intake:inbox")).content.decode()
    assert "本单位暂无待办诉求" in html


def test_given_a_filter_when_exporting_the_inbox_then_the_filtered_rows_with_the_phone_masked(queue, login):
    c, rs = queue
    rows = _sheet(login(c.users["department"]).get(reverse("intake:inbox"), {"q": "第0件", "format": "xlsx"}))
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [rs[0].number]
    assert "13912345678" not in rows[1][-1] and "第0件" in rows[1][-1]


def test_given_overdue_requests_when_the_supervision_page_filters_by_township_then_only_that_townships(
        queue, clock, login):
    c, rs = queue
    numbers = [r.number for r in rs]
    other = hotline(c, description="白云乡的诉求", village_code=c.villages[2].code, kind="life_property")
    clock.advance(days=30)
    client = login(c.users["supervisor"])
    html = client.get(reverse("intake:supervision")).content.decode()
    assert set(_numbers(html, numbers + [other.number])) == set(numbers + [other.number])
    html = client.get(reverse("intake:supervision"), {"township": c.townships[1].code}).content.decode()
    assert _numbers(html, numbers + [other.number]) == [other.number]
    rows = _sheet(client.get(reverse("intake:supervision"), {"q": "白云乡", "format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [other.number]


def test_given_closed_requests_when_the_callback_queue_opens_then_the_oldest_closing_first_and_searchable(
        rcounty, clock, login):
    op = rcounty.users["operator"]
    rs = []
    for i in range(2):
        r = answered(rcounty, description=f"回访第{i}件")
        services.request_close(actor=op, request_id=r.pk)
        clock.advance(minutes=5)
        rs.append(r)
    client = login(op)
    html = client.get(reverse("intake:callbacks")).content.decode()
    assert _numbers(html, [r.number for r in rs]) == [rs[0].number, rs[1].number]
    assert "待回访的已办结诉求（办结早的在前）" in html
    html = client.get(reverse("intake:callbacks"), {"sort": "-closed"}).content.decode()
    assert _numbers(html, [r.number for r in rs]) == [rs[1].number, rs[0].number]
    html = client.get(reverse("intake:callbacks"), {"q": "回访第1件"}).content.decode()
    assert _numbers(html, [r.number for r in rs]) == [rs[1].number]
    rows = _sheet(client.get(reverse("intake:callbacks"), {"format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [rs[0].number, rs[1].number]


def test_given_no_callbacks_when_the_queue_opens_then_it_says_when_one_appears(rcounty, clock, login):
    assert "诉求办结后显示在这里" in login(rcounty.users["operator"]).get(reverse("intake:callbacks")).content.decode()


def test_given_findings_when_the_supervision_items_open_then_open_ones_by_default_and_filters_narrow(
        rcounty, clock, login):
    from django.utils import timezone

    r1, r2 = hotline(rcounty), hotline(rcounty)
    unit = rcounty.departments["D-ZR"]
    SupervisionItem.objects.create(organisation=unit, request=r1, reason="returns", opened_at=timezone.now())
    SupervisionItem.objects.create(organisation=unit, request=r2, reason="unsatisfied", status="closed",
                                   opened_at=timezone.now(), closed_at=timezone.now(), note="已整改")
    client = login(rcounty.users["supervisor"])
    html = client.get(reverse("intake:supervision_items")).content.decode()
    assert _numbers(html, [r1.number, r2.number]) == [r1.number]
    html = client.get(reverse("intake:supervision_items"), {"status": ""}).content.decode()
    assert set(_numbers(html, [r1.number, r2.number])) == {r1.number, r2.number}
    html = client.get(reverse("intake:supervision_items"), {"status": "", "reason": "unsatisfied"}).content.decode()
    assert _numbers(html, [r1.number, r2.number]) == [r2.number]
    rows = _sheet(client.get(reverse("intake:supervision_items"), {"status": "closed", "format": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [r2.number] and rows[1][-1] == "已整改"


def test_given_someone_without_the_permission_when_asking_the_unmasked_inbox_then_403_and_nothing_audited(
        queue, login):
    c, _ = queue
    before = AuditEvent.objects.count()
    resp = login(c.users["department"]).get(reverse("intake:inbox"), {"format": "xlsx", "unmasked": "1",
                                                                      "purpose": "核对"})
    assert resp.status_code == 403 and AuditEvent.objects.count() == before


def test_given_the_pages_when_listed_then_numbers_show_in_the_table_rows(queue, login):
    c, rs = queue
    html = login(c.users["department"]).get(reverse("intake:inbox")).content.decode()
    assert len(re.findall(r"<tr data-dispatch=", html)) == 3
