"""Issue 11: the outbox on the one list pattern — state counts that link to their state, filters and a search,
sortable columns (newest first by default, keyset-paged: the log grows with history), an xlsx of what is filtered
with phone numbers masked, an empty state that says what the page is for."""

import io
import re

import pytest
from openpyxl import load_workbook

from tiaokuai.core.listing import XLSX_TYPE
from tiaokuai.notify import services
from tiaokuai.notify.models import Delivery

from .test_notify import flaky  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="delivery-(\d+)">', html)]


@pytest.fixture
def deliveries(county, flaky):  # noqa: F811
    services.notify(recipients=[county.users["township"]], kind="k", title="第一条通知")
    services.notify(recipients=[county.users["department"]], kind="k", title="第二条通知")
    return list(Delivery.objects.order_by("-created_at", "-id"))


def test_given_deliveries_when_the_office_opens_the_outbox_then_newest_first_by_cursor(county, login, deliveries,
                                                                                      settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 1}
    client = login(county.users["establishment_office"])
    html = client.get("/system/outbox/").content.decode()
    assert _ids(html) == [deliveries[0].pk] and 'data-paging="cursor"' in html
    assert 'aria-sort="descending"' in html and 'data-sort="created"' in html


def test_given_a_search_and_a_state_when_filtering_then_only_matches_and_a_filtered_empty_state(
        county, login, deliveries):
    client = login(county.users["establishment_office"])
    html = client.get("/system/outbox/", {"q": "第二条"}).content.decode()
    assert [Delivery.objects.get(pk=i).notification.title for i in _ids(html)] == ["第二条通知"]
    empty = client.get("/system/outbox/", {"state": "dead"}).content.decode()
    assert _ids(empty) == [] and "没有符合筛选条件的发送记录" in empty
    assert 'aria-current="true"' in empty  # the state count of the filter in force is marked


def test_given_no_delivery_when_the_outbox_opens_then_it_says_what_the_page_is_for(county, login):
    assert "失败的可以重新发送" in login(county.users["establishment_office"]).get("/system/outbox/").content.decode()


def test_given_a_filter_when_exporting_the_outbox_then_the_filtered_rows(county, login, deliveries):
    resp = login(county.users["establishment_office"]).get("/system/outbox/", {"q": "第一条", "format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_TYPE
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows()]
    assert [r[2] for r in rows[1:]] == ["第一条通知"]


def test_given_a_township_when_opening_the_outbox_or_its_export_then_404(county, login, deliveries):
    client = login(county.users["township"])
    assert client.get("/system/outbox/").status_code == 404
    assert client.get("/system/outbox/", {"format": "xlsx"}).status_code == 404
