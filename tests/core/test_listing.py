"""The one list-page pattern (core.listing + core/_list.html) on every list: a sort is honoured only from the list's
whitelist (anything else falls back to the default, never reaching order_by), a header shows its direction and
links to the other one, paging keeps the sort, the xlsx export holds what is filtered in the same order with personal
data masked, and an empty list says what to do."""

import io
import re

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from tiaokuai.core import listing
from tiaokuai.notify import services as notify
from tiaokuai.org.models import Organisation, Person

SORTS = {"code": "code", "name": ("name",), "parent": ("-parent__code", "code")}


def test_given_a_sort_outside_the_whitelist_when_parsed_then_the_default_is_used():
    assert listing.parse_sort("name", SORTS, "code") == "name"
    assert listing.parse_sort("-name", SORTS, "code") == "-name"
    for bad in ("password", "-password", "name;drop", "--name", "", None, "-"):
        assert listing.parse_sort(bad, SORTS, "code") == "code"


def test_given_a_sort_when_turned_into_fields_then_direction_flips_each_field_and_pk_breaks_ties():
    assert listing.order_fields("name", SORTS) == ["name", "pk"]
    assert listing.order_fields("-name", SORTS) == ["-name", "-pk"]
    assert listing.order_fields("parent", SORTS) == ["-parent__code", "code", "pk"]
    assert listing.order_fields("-parent", SORTS) == ["parent__code", "-code", "-pk"]
    assert listing.order_fields("", SORTS) == []


def test_given_a_nullable_deadline_sort_when_turned_into_fields_then_empty_deadlines_stay_last_both_ways():
    from django.db.models import F, OrderBy

    sorts = {"due": F("due"), "clock": OrderBy(F("x"), nulls_last=True)}
    asc, desc = listing.order_fields("due", sorts), listing.order_fields("-due", sorts)
    assert (asc[0].descending, asc[0].nulls_last, asc[1]) == (False, True, "pk")
    assert (desc[0].descending, desc[0].nulls_last, desc[1]) == (True, True, "-pk")
    flipped = listing.order_fields("-clock", sorts)[0]
    assert (flipped.descending, flipped.nulls_last) == (True, True)
    assert sorts["clock"].descending is False  # the selector's own order is not changed in place


@pytest.mark.django_db
def test_given_page_filters_when_narrowing_then_the_search_ors_the_fields_and_lookups_and_the_rest(county):
    qs = Organisation.objects.all()
    found = listing.narrow(qs, {"q": "青石"}, search=("name", "code"))
    assert {o.code for o in found} == {"T01", "T01-01", "D-SJ-01"}
    found = listing.narrow(qs, {"q": "青石", "kind": "township_office"}, search=("name",), lookups={"kind": "kind"})
    assert {o.code for o in found} == {"T01-01"}
    assert listing.narrow(qs, {"q": "", "kind": "", "other": "x"}, search=("name",),
                          lookups={"kind": "kind"}).count() == qs.count()  # empty filters and unlisted names ignored


@pytest.mark.django_db
def test_given_columns_when_sorted_by_one_then_its_header_shows_the_direction_and_links_to_the_other(county):
    request = RequestFactory().get("/x/", {"sort": "-name", "page": "3", "kind": "township"})
    lp = listing.list_page(request, Organisation.objects.all(), sorts=SORTS, default="code",
                           columns=[("编码", "code"), ("名称", "name"), ("说明", "")])
    code, name, plain = lp.headers
    assert (name.direction, name.aria_sort) == ("desc", "descending")
    assert "sort=name" in name.query and "page" not in name.query and "kind=township" in name.query
    assert (code.direction, code.aria_sort) == ("", "none") and "sort=code" in code.query
    assert plain.key == "" and plain.query == ""
    names = [o.name for o in lp.queryset]
    assert names == sorted(names, reverse=True)
    assert lp.filtered  # kind=township is a filter; page and sort are not


def test_given_rows_with_personal_data_and_formulas_when_exported_then_masked_and_text():
    resp = listing.xlsx_response("t", ["a", "b"], [["电话13812345678", "=1+1"], ["身份证110101199001011234", 3]])
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("a", "b")
    assert rows[1] == ("电话138****5678", "=1+1") and rows[2] == ("身份证110101********1234", 3)
    assert ws["B2"].data_type == "s"


# --------------------------------------------------------------------------- every list on the pattern

def rows_of(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start:html.index("</table>", start)]


LISTS = [  # (url, user, table id, a sort key of it)
    ("/whistles/", "township", "whistle-table", "number"),
    ("/org/organisations/", "establishment_office", "organisations", "name"),
    ("/org/people/", "establishment_office", "people", "name"),
    ("/org/certificates/", "establishment_office", "certificates", "holder"),
    ("/system/inbox/", "township", "inbox-list", "title"),
    ("/intake/", "establishment_office", "request-table", "number"),
    ("/lists/", "township", "matters-in-force", "name"),
    # issue 11, the work queues: each keeps its own order as the default sort
    ("/whistles/inbox/", "department", "inbox-table", "number"),
    ("/whistles/board/", "leader", "board-table", "number"),
    ("/intake/inbox/", "department", "request-inbox", "number"),
    ("/intake/supervision/", "establishment_office", "overdue-list", "number"),
    ("/intake/callbacks/", "leader", "callback-queue", "number"),
    ("/lists/releases/", "establishment_office", "releases", "number"),
    ("/system/outbox/", "establishment_office", "outbox", "state"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role", "table", "key"), LISTS)
def test_given_each_list_when_opened_then_sortable_headers_search_export_and_paging(county, login, url, role,
                                                                                     table, key):
    client = login(county.users[role])
    html = client.get(url).content.decode()
    assert 'id="list-filter"' in html and 'id="list-xlsx"' in html and f'id="{table}"' in html
    assert f'data-sort="{key}"' in html and 'aria-sort=' in html
    html = client.get(url, {"sort": key}).content.decode()
    assert 'aria-sort="ascending"' in html and "▲" in html and f'href="?sort=-{key}"' in html
    html = client.get(url, {"sort": f"-{key}"}).content.decode()
    assert 'aria-sort="descending"' in html and "▼" in html
    assert client.get(url, {"sort": "password"}).status_code == 200  # not allowed: the default order
    resp = client.get(url, {"format": "xlsx", "sort": key})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_given_people_when_sorted_and_exported_then_order_follows_and_id_and_phone_are_masked(county, login):
    Person.objects.create(name="阿丽", phone="13912345678", id_number="330101199202023456")
    client = login(county.users["establishment_office"])
    html = rows_of(client.get("/org/people/", {"sort": "-name"}).content.decode(), "people")
    names = re.findall(r'href="/org/people/\d+/">([^<]+)<', html)
    assert len(names) >= 9 and names == sorted(names, reverse=True)
    ws = load_workbook(io.BytesIO(client.get("/org/people/", {"format": "xlsx", "q": "阿丽"}).content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "阿丽"
    assert "13912345678" not in str(rows) and "330101199202023456" not in str(rows)
    assert rows[1][2].startswith("139") and "*" in rows[1][2]


@pytest.mark.django_db
def test_given_many_notifications_when_paged_then_the_sort_stays_in_the_page_links(county, login, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 2}
    user = county.users["township"]
    for title in ("丙", "甲", "乙"):
        notify.notify(recipients=[user], kind="k", title=title)
    client = login(user)
    html = client.get("/system/inbox/", {"sort": "title"}).content.decode()
    assert "sort=title&amp;page=2" in html or "page=2&amp;sort=title" in html
    first = rows_of(html, "inbox-list")
    assert first.count('id="notification-') == 2


@pytest.mark.django_db
def test_given_a_search_that_matches_nothing_when_listed_then_the_empty_state_says_to_change_the_filters(
        county, login):
    client = login(county.users["establishment_office"])
    html = client.get("/org/certificates/").content.decode()
    assert 'id="list-empty"' in html and "发放执法证" in html  # nothing yet: how to issue the first
    html = client.get("/org/organisations/", {"q": "没有这个单位"}).content.decode()
    assert "没有符合筛选条件" in html and "清除" in html


@pytest.mark.django_db
def test_given_the_organisation_tree_then_units_fold_under_their_parent_with_codes(county, login):
    client = login(county.users["establishment_office"])
    html = client.get("/org/organisations/", {"view": "tree"}).content.decode()
    assert html.count("<details>") >= 3  # the township governments and the department with a station, folded
    assert "<code>T01-01</code>" in html and "<code>D-SJ-01</code>" in html
    html = client.get("/org/organisations/", {"view": "tree", "q": "青石"}).content.decode()
    assert "<details open>" in html or "D-SJ-01" in html
    assert "白云乡人民政府" not in html


@pytest.mark.django_db
def test_given_a_ranked_choice_when_sorted_then_in_the_scale_order_not_alphabetically(county, login):
    from tests.whistles.test_views import make_whistle_list, raise_one

    wl = county
    make_whistle_list(wl)
    ids = {}
    for urgency in ("urgent", "normal", "emergency"):
        w = raise_one(wl, description=f"{urgency}：违法占用耕地建房")
        type(w).objects.filter(pk=w.pk).update(urgency=urgency)
        ids[w.number] = urgency
    html = rows_of(login(county.users["township"]).get("/whistles/", {"sort": "-urgency"}).content.decode(),
                   "whistle-table")
    order = [ids[n] for n in re.findall(r">(CS-\d{8}-\d{4})<", html)]
    assert order == ["emergency", "urgent", "normal"]  # alphabetically it would be urgent, normal, emergency
