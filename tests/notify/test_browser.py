import pytest
from playwright.sync_api import expect

from tiaokuai.notify import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_given_an_unread_notification_when_marked_read_in_the_inbox_then_top_bar_count_drops(county, browser_login):
    user = county.users["establishment_office"]
    services.notify(recipients=[user], kind="test", title="请审核新的交办事项", body="青石镇提交")
    page = browser_login(user)
    assert page.inner_text("#unread-count") == "1"
    page.click("#unread-link")
    page.wait_for_url("**/system/inbox/")
    assert "请审核新的交办事项" in page.inner_text("#inbox-list")
    page.click("#inbox-list button:has-text('标为已读'), #inbox-list button:has-text('Mark as read')")
    # expect() polls from outside the page: a string predicate (wait_for_function) is an eval, which the CSP refuses
    # whenever the first check comes too early (the test then failed on a busy machine)
    expect(page.locator("#unread-count")).to_have_text("0")
    page.click("a[href='/system/outbox/']")
    page.wait_for_url("**/system/outbox/")
    assert "请审核新的交办事项" in page.inner_text("table")


def test_given_the_office_when_opening_a_year_without_official_data_then_warning_and_override_form(
        county, browser_login):
    page = browser_login(county.users["establishment_office"])
    page.goto(page.base_url + "/system/calendar/2027/")
    assert page.is_visible("#calendar-fallback")
    page.fill("#id_day", "2027-02-06")
    page.select_option("#id_is_working", "1")
    page.fill("#id_note", "春节调休上班")
    page.click("form[action='/system/calendar/2027/'] button[type=submit]")
    page.wait_for_url("**/system/calendar/2027/")
    assert "春节调休上班" in page.inner_text("#calendar-days")
    assert not page.is_visible("#calendar-fallback")
