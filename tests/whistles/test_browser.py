"""Browser flows (headless Chromium): raise from a phone → department responds → township confirms and
rates; the county board filter. Screenshots go to test-artifacts/ (gitignored)."""

from pathlib import Path

import pytest

from tiaokuai.whistles.models import Whistle

from .test_views import make_whistle_list, raise_one

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"whistles-{name}.png"), full_page=True)


def switch_user(page, browser_login, user):
    page.context.clear_cookies()
    return browser_login(user)


def test_given_township_on_phone_when_raising_then_department_responds_and_township_confirms_and_rates(
        county, page, browser_login):
    make_whistle_list(county)
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(county.users["township"])
    page.goto(page.base_url + "/whistles/raise/")
    page.select_option("#id_item", "CS-ZR-001")
    page.select_option("#id_village", county.villages[0].code)
    page.wait_for_selector(f"#id_grid option[value='{county.grids[0].code}']", state="attached")
    page.select_option("#id_grid", county.grids[0].code)
    page.fill("#id_address", "青石1村村口")
    page.fill("#id_description", "村口有人正在违法占用耕地建房")
    page.check("input[name=urgency][value=urgent]")
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "raise-phone")
    page.click("#raise-form button[type=submit]")
    page.wait_for_url("**/whistles/*/")
    whistle = Whistle.objects.get()
    assert whistle.number in page.inner_text("h1")
    shot(page, "whistle-page-phone")

    page.set_viewport_size({"width": 1366, "height": 900})
    switch_user(page, browser_login, county.users["department"])
    page.goto(page.base_url + "/whistles/inbox/")
    row = page.locator(f"#inbox-table tr:has-text('{whistle.number}')")
    assert row.count() == 1
    shot(page, "inbox")
    row.locator("form[action$='/respond/'] button").click()
    page.wait_for_selector(".alert-success")
    lead = whistle.dispatches.get(role="lead")
    page.goto(page.base_url + f"/whistles/{whistle.pk}/")
    actions = page.locator(f".dispatch-actions[data-dispatch='{lead.pk}']")
    actions.locator("summary").first.click()
    actions.locator("input[name=people]").fill("李自然等3人")
    actions.locator("form[action$='/arrive/'] button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    actions = page.locator(f".dispatch-actions[data-dispatch='{lead.pk}']")
    actions.locator("details:has(form[action$='/resolve/']) summary").click()
    actions.locator("select[name=outcome]").select_option("resolved")
    actions.locator("form[action$='/resolve/'] button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    whistle.refresh_from_db()
    assert whistle.status == "resolved"

    page.set_viewport_size({"width": 375, "height": 812})
    switch_user(page, browser_login, county.users["township"])
    page.goto(page.base_url + f"/whistles/{whistle.pk}/")
    page.click("form[action$='/confirm/'] button")
    page.wait_for_selector("#rate-form")
    page.select_option(f"#id_r{lead.pk}-attitude", "4")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#ratings")
    shot(page, "rated-phone")
    lead.refresh_from_db()
    assert lead.rating.attitude == 4 and lead.rating.speed == 5


def test_given_whistles_in_two_townships_when_leader_filters_board_then_only_that_township(
        county, page, browser_login):
    make_whistle_list(county)
    mine = raise_one(county)
    other = raise_one(county, user="township_other", village=2)
    browser_login(county.users["leader"])
    page.goto(page.base_url + "/whistles/board/")
    assert page.locator("#board-table tbody tr[data-whistle]").count() == 2
    page.select_option("#id_township", county.townships[1].code)
    page.click("#list-filter button[type=submit]")
    page.wait_for_url("**township=*")
    rows = page.locator("#board-table tbody tr[data-whistle]")
    assert rows.count() == 1
    assert other.number in rows.first.inner_text() and mine.number not in page.inner_text("#board-table")
    shot(page, "board-filtered")
