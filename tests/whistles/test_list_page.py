"""The whistle list: search and filters, the lead department and the deadline as text, server-side paging, and the
xlsx export of exactly what is filtered (text cells never formulas). The raise form asks for suggestions on every
input (paste, IME, voice), not only on a key press."""

import io

from openpyxl import load_workbook

from tests.whistles.test_views import lead, raise_one, wl  # noqa: F401  (fixture)
from tiaokuai.whistles import services
from tiaokuai.whistles.forms import RaiseForm
from tiaokuai.whistles.models import Whistle


def table(html: str) -> str:
    return html[html.index('id="whistle-table"'):]


def test_given_whistles_when_the_township_searches_and_filters_then_only_matches_with_lead_and_deadline(
        wl, login):  # noqa: F811
    farmland = raise_one(wl)
    smoke = raise_one(wl, item="CS-HB-001", description="饭店油烟=扰民", village=1)
    Whistle.objects.filter(pk=smoke.pk).update(urgency="urgent")
    client = login(wl.users["township"])
    html = table(client.get("/whistles/").content.decode())
    assert farmland.number in html and smoke.number in html
    assert "县自然资源局" in html and "截止" in html and "还剩" in html  # lead department, deadline as text
    html = table(client.get("/whistles/", {"q": "油烟"}).content.decode())
    assert smoke.number in html and farmland.number not in html
    html = table(client.get("/whistles/", {"urgency": "urgent"}).content.decode())
    assert smoke.number in html and farmland.number not in html
    html = table(client.get("/whistles/", {"department": "D-ZR"}).content.decode())
    assert farmland.number in html and smoke.number not in html
    html = client.get("/whistles/", {"q": "没有这种事"}).content.decode()
    assert "没有符合筛选条件的吹哨" in html
    # another township sees neither, whatever it searches for
    assert farmland.number not in login(wl.users["township_other"]).get("/whistles/", {"q": "耕地"}).content.decode()


def test_given_the_township_to_do_filter_when_listing_then_only_whistles_to_rate(wl, login):  # noqa: F811
    done, waiting = raise_one(wl), raise_one(wl, description="另一处违法占用耕地建房")
    d, user = lead(done), wl.users["department"]
    services.dispatch_respond(actor=user, dispatch_id=d.pk)
    services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="李自然")
    services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved", note="")
    services.whistle_confirm(actor=wl.users["township"], whistle_id=done.pk)
    html = table(login(wl.users["township"]).get("/whistles/", {"todo": "rate"}).content.decode())
    assert done.number in html and waiting.number not in html


def test_given_many_whistles_when_listed_then_paged_on_the_server(wl, login, settings):  # noqa: F811
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 2}
    for i in range(3):
        raise_one(wl, description=f"第{i}处违法占用耕地建房")
    client = login(wl.users["township"])
    first = table(client.get("/whistles/").content.decode())
    assert first.count("data-whistle=") == 2 and 'data-page="next"' in first
    assert 'data-page="previous"' not in first and 'data-page="first"' not in first
    second = table(client.get("/whistles/" + link(first, "next")).content.decode())
    assert second.count("data-whistle=") == 1 and 'data-page="next"' not in second
    assert 'data-page="previous"' in second and 'data-page="first"' in second
    back = table(client.get("/whistles/" + link(second, "previous")).content.decode())
    assert _ids(back) == _ids(first)
    assert _ids(first) + _ids(second) == [str(pk) for pk in Whistle.objects.order_by("-raised_at", "-id")
                                          .values_list("pk", flat=True)]
    # A cursor that is not ours shows the first page (never an error page).
    assert _ids(table(client.get("/whistles/", {"cursor": "garbage!"}).content.decode())) == _ids(first)


def link(html: str, which: str) -> str:
    import html as html_lib
    import re

    return html_lib.unescape(re.search(rf'data-page="{which}" href="([^"]+)"', html).group(1))


def _ids(html: str) -> list[str]:
    import re

    return re.findall(r'data-whistle="(\d+)"', html)


def test_given_a_filter_when_exporting_then_the_spreadsheet_holds_what_is_filtered_as_text(wl, login):  # noqa: F811
    raise_one(wl)
    smoke = raise_one(wl, item="CS-HB-001", description="=HYPERLINK(\"http://x\") 油烟", village=1)
    resp = login(wl.users["establishment_office"]).get("/whistles/", {"q": "油烟", "format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "事项编码", "吹哨事项") and "牵头部门" in rows[0] and "截止时间" in rows[0]
    assert [r[0] for r in rows[1:]] == [smoke.number]
    assert rows[1][7] == "县生态环境局"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_given_the_raise_form_then_suggestions_follow_every_input_not_only_key_presses():
    trigger = RaiseForm().fields["description"].widget.attrs["hx-trigger"]
    assert trigger.startswith("input") and "keyup" not in trigger


def test_given_the_whistle_list_in_force_when_searched_then_only_matching_items_and_domains_open(
        wl, login):  # noqa: F811
    client = login(wl.users["grid_worker"])
    html = client.get("/whistles/items/").content.decode()
    assert html.count('class="card mb-3 items-domain"') == 2 and "共 2 项" in html
    assert "<details" in html and " open>" not in html  # folded: the page is the list of domains
    html = client.get("/whistles/items/", {"q": "油烟"}).content.decode()
    assert "餐饮油烟扰民" in html and "违法占用耕地建房" not in html and " open>" in html
    html = client.get("/whistles/items/", {"class": "must"}).content.decode()
    assert "违法占用耕地建房" in html and "餐饮油烟扰民" not in html
    assert "没有符合的事项" in client.get("/whistles/items/", {"q": "没有这种事"}).content.decode()


def test_given_nothing_waiting_when_the_township_opens_its_dispatch_inbox_then_it_speaks_of_the_township(
        wl, login):  # noqa: F811
    html = login(wl.users["township"]).get("/whistles/inbox/").content.decode()
    assert "本乡镇暂无待办派单" in html and "本部门" not in html
    html = login(wl.users["department_other"]).get("/whistles/inbox/").content.decode()
    assert "本部门暂无待办派单" in html
