"""Issue 11: the list versions (/lists/releases/) on the one list pattern — search by version number or title,
a status filter, sortable columns (newest version first by default), an xlsx of the versions listed, an empty
state that says what to do; the office's draft stays on the page whatever the filter."""

import io
import re

import pytest
from openpyxl import load_workbook

from tiaokuai.core.listing import XLSX_TYPE
from tiaokuai.duties import services
from tiaokuai.duties.models import ListRelease

pytestmark = pytest.mark.django_db


def _versions(html: str) -> list[str]:
    return re.findall(r'<tr data-release="\d+">\s*<td class="text-nowrap"><a href="[^"]+">(v\d+)</a>', html)


@pytest.fixture
def draft(county):
    return services.release_start_draft(actor=county.users["establishment_office"], title="2027年修订稿")


def test_given_a_published_version_and_a_draft_when_the_office_opens_the_versions_then_newest_first(
        county, draft, login):
    html = login(county.users["establishment_office"]).get("/lists/releases/").content.decode()
    assert _versions(html) == ["v2", "v1"]
    assert 'aria-sort="descending"' in html and "共 2 个版本" in html


def test_given_a_sort_by_version_when_asked_then_oldest_first(county, draft, login):
    html = login(county.users["establishment_office"]).get("/lists/releases/", {"sort": "number"}).content.decode()
    assert _versions(html) == ["v1", "v2"]


def test_given_a_search_by_number_or_title_when_filtering_then_only_that_version_and_the_draft_panel_stays(
        county, draft, login):
    client = login(county.users["establishment_office"])
    html = client.get("/lists/releases/", {"q": "v1"}).content.decode()
    assert _versions(html) == ["v1"]
    assert "start-draft" not in html  # a draft exists (outside the filter): no second one offered
    assert _versions(client.get("/lists/releases/", {"q": "修订"}).content.decode()) == ["v2"]
    assert _versions(client.get("/lists/releases/", {"status": "published"}).content.decode()) == ["v1"]
    empty = client.get("/lists/releases/", {"q": "没有"}).content.decode()
    assert 'id="list-empty"' in empty and "没有符合筛选条件的版本" in empty


def test_given_a_department_when_opening_the_versions_then_drafts_are_not_listed(county, draft, login):
    html = login(county.users["department"]).get("/lists/releases/").content.decode()
    assert _versions(html) == ["v1"] and "2027年修订稿" not in html


def test_given_no_version_when_the_office_opens_the_page_then_it_says_to_start_a_draft(county, login):
    ListRelease.objects.all().delete()
    html = login(county.users["establishment_office"]).get("/lists/releases/").content.decode()
    assert "请用“新建草稿”编写本清单的第一版" in html


def test_given_a_filter_when_exporting_then_the_versions_listed_with_their_state(county, draft, login):
    resp = login(county.users["establishment_office"]).get("/lists/releases/", {"format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX_TYPE
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows()]
    assert rows[0][:3] == ["版本", "标题", "状态"]
    assert [(r[0], r[2]) for r in rows[1:]] == [("v2", "草稿"), ("v1", "现行有效")]
    assert rows[2][4] == 3  # its matters
