"""The routing queue on the list pattern: the work waiting to be routed by hand can be searched, sorted, paged
and exported (numbers in descriptions masked); the router is asked for the rows on the page only."""

import io

import pytest
from openpyxl import load_workbook

from tiaokuai.routing import sources

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting():
    items = [sources.WorkItem(pk=i, number=f"RQ-2026120{i}-000{i}", url=f"/x/{i}/", place=place,
                              description=text)
             for i, (place, text) in enumerate([("白云乡", "路灯不亮，联系电话13912345678"),
                                                ("城关镇", "河里有人倒垃圾"),
                                                ("白云乡", "小区门口积水")], start=1)]
    sources.register("test", label="Test", waiting=lambda viewer: items)
    yield items
    sources.unregister("test")


def numbers(html: str) -> list[str]:
    import re

    table = html[html.index('id="queue-table"'):]
    return re.findall(r'<a href="/x/\d+/">([^<]+)</a>', table)


def test_given_waiting_work_when_searched_and_sorted_then_the_matching_rows_in_that_order(county, login, waiting):
    office = login(county.users["establishment_office"])
    assert numbers(office.get("/routing/queue/").content.decode()) == [w.number for w in waiting]
    assert numbers(office.get("/routing/queue/", {"sort": "-number"}).content.decode()) == [
        w.number for w in reversed(waiting)]
    html = office.get("/routing/queue/", {"q": "白云", "sort": "-place"}).content.decode()
    assert numbers(html) == [waiting[2].number, waiting[0].number]
    assert "13912345678" not in html  # masked on the page
    empty = office.get("/routing/queue/", {"q": "没有这件事"}).content.decode()
    assert numbers(empty) == [] and "没有符合搜索条件的待分派事项" in empty


def test_given_a_search_when_exporting_the_queue_then_the_rows_found_masked(county, login, waiting):
    resp = login(county.users["establishment_office"]).get("/routing/queue/", {"q": "白云", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [waiting[0].number, waiting[2].number]
    assert "139****5678" in rows[1][2] and "13912345678" not in rows[1][2]


def test_given_a_page_size_when_the_queue_opens_then_it_is_paged(county, login, settings, waiting):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 2}
    office = login(county.users["establishment_office"])
    assert len(numbers(office.get("/routing/queue/").content.decode())) == 2
    assert numbers(office.get("/routing/queue/", {"page": 2}).content.decode()) == [waiting[2].number]
