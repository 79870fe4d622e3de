"""Sortable columns in the browser (core/_list.html): a header is a link reached with Tab and followed with Enter; the
list comes back sorted on the server, the arrow and aria-sort show the direction, the next Enter turns it round, and
the filter form keeps the sort."""

import pytest

from tiaokuai.org.models import Person

pytestmark = pytest.mark.browser


def test_given_the_people_list_when_a_header_is_used_with_the_keyboard_then_sorted_both_ways(
        county, page, browser_login):
    for name in ("甲一", "乙二", "丙三"):
        Person.objects.create(name=name)
    browser_login(county.users["establishment_office"])
    page.goto(page.base_url + "/org/certificates/")
    assert page.locator("#certificates a[data-sort=holder]").count() == 1
    page.focus("#list-filter input[name=q]")
    for _ in range(12):  # Tab from the search box reaches the header link
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.dataset.sort") == "holder":
            break
    assert page.evaluate("() => document.activeElement.dataset.sort") == "holder"
    page.goto(page.base_url + "/org/people/")
    page.focus("#people a[data-sort=name]")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-name**")  # sorted ascending by default: Enter turns it round
    th = page.locator("#people th:has(a[data-sort=name])")
    assert th.get_attribute("aria-sort") == "descending" and "▼" in th.inner_text()
    names = page.locator("#people tbody td:first-child").all_inner_texts()
    expected = list(Person.objects.order_by("-name", "-pk").values_list("name", flat=True))
    assert names == expected[:len(names)]
    page.focus("#people a[data-sort=name]")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=name**")
    assert th.get_attribute("aria-sort") == "ascending" and "▲" in th.inner_text()
    page.fill("#list-filter input[name=q]", "甲")
    page.click("#list-filter button[type=submit]")
    page.wait_for_url("**q=%E7%94%B2**")
    assert "sort=name" in page.url and page.locator("#people tbody tr").count() == 1
