import pytest

from tests.org.helpers import quota, staff

pytestmark = pytest.mark.browser


def test_office_sees_staffing_with_over_establishment_flagged(county, browser_login):
    quota(county.township_orgs[0], 1)
    staff(county.township_orgs[0], 3)
    quota(county.offices[0], 4)
    staff(county.offices[0], 1)
    page = browser_login(county.users["establishment_office"])
    page.click("aside a[href='/org/staffing/']")  # left navigation: Staffing
    page.wait_for_selector("#units")
    over_row = page.locator("#units tr.unit-over")
    assert over_row.count() == 1
    assert "青石镇人民政府" in over_row.inner_text()
    assert page.locator("#units tr[data-code='T01-01'] .staffing-vacant").count() >= 1
    assert "35" in page.locator("#institution-count").inner_text()


def test_organisation_detail_shows_timeline_after_an_edit(county, browser_login):
    page = browser_login(county.users["establishment_office"])
    page.goto(page.base_url + "/org/organisations/D-HB/")
    page.click("#edit-organisation")
    page.fill("#id_short_name", "环保局")
    page.click("#registry-form button[type=submit]")
    page.wait_for_url(page.base_url + "/org/organisations/D-HB/")
    assert "环保局" in page.inner_text("body")
    assert "修改单位" in page.locator("#timeline").inner_text()
