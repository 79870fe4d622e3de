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
