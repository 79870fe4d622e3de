"""The staffing page pages its units on the server and finds a unit by name or code; the figures above stay those
of the whole scope."""

from django.urls import reverse


def units_table(html: str) -> str:
    return html[html.index('id="units"'):]


def test_given_many_units_when_the_staffing_page_opens_then_it_is_paged(county, login, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": 2}
    client = login(county.users["establishment_office"])
    html = units_table(client.get(reverse("org:staffing")).content.decode())
    assert html.count("data-code=") == 2 and "1 / " in html
    second = units_table(client.get(reverse("org:staffing"), {"page": 2}).content.decode())
    assert second.count("data-code=") == 2 and second != html


def test_given_a_search_when_the_staffing_page_opens_then_only_matching_units(county, login):
    client = login(county.users["establishment_office"])
    html = client.get(reverse("org:staffing"), {"q": "自然"}).content.decode()
    table = units_table(html)
    assert 'data-code="D-ZR"' in table and table.count("data-code=") == 1 and 'id="total-figures"' in html
    assert 'data-code="D-ZR"' in units_table(client.get(reverse("org:staffing"), {"q": "d-zr"}).content.decode())
    assert "没有符合的单位" in client.get(reverse("org:staffing"), {"q": "没有这个单位"}).content.decode()


def test_given_units_in_every_state_when_sorted_by_status_then_over_first_then_vacancies(rf):
    from types import SimpleNamespace

    from tiaokuai.core.listing import list_page
    from tiaokuai.org.choices import StaffingState
    from tiaokuai.org.views import STAFFING_SORTS

    def unit(code, state):
        return SimpleNamespace(organisation=SimpleNamespace(code=code, kind="x"), staffing=SimpleNamespace(state=state))

    units = [unit("A", StaffingState.OK), unit("B", StaffingState.OVER), unit("C", StaffingState.VACANT),
             unit("D", StaffingState.OVER)]
    lp = list_page(rf.get("/", {"sort": "status"}), units, sorts=STAFFING_SORTS, default="unit",
                   columns=[("单位", "unit"), ("状态", "status")])
    assert [u.organisation.code for u in lp.page_obj] == ["B", "D", "C", "A"]
    lp = list_page(rf.get("/", {"sort": "-status"}), units, sorts=STAFFING_SORTS, default="unit")
    assert [u.organisation.code for u in lp.page_obj] == ["A", "C", "D", "B"]


def test_given_a_sort_when_the_staffing_page_opens_then_units_in_that_order(county, login):
    import re

    client = login(county.users["establishment_office"])
    html = units_table(client.get(reverse("org:staffing"), {"sort": "-unit"}).content.decode())
    codes = re.findall(r'data-code="([^"]+)"', html)
    assert codes == sorted(codes, reverse=True) and 'aria-sort="descending"' in html
    # a key that is not a column falls back to the default order (by code); no user input reaches the sort
    codes = re.findall(r'data-code="([^"]+)"', units_table(
        client.get(reverse("org:staffing"), {"sort": "organisation__name"}).content.decode()))
    assert codes == sorted(codes)


def test_given_a_search_when_exporting_staffing_then_the_xlsx_holds_the_units_found(county, login):
    import io

    from openpyxl import load_workbook

    client = login(county.users["establishment_office"])
    resp = client.get(reverse("org:staffing"), {"q": "自然", "format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位", "编码", "类型") and len(rows) == 2 and rows[1][1] == "D-ZR"
