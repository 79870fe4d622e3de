import pytest

pytestmark = pytest.mark.browser


def test_given_establishment_office_when_logging_in_then_sees_chinese_shell(county, browser_login):
    page = browser_login(county.users["establishment_office"])
    assert page.locator("#viewer-name").inner_text() == "王编办"
    assert "县委编办" in page.locator("#viewer-unit").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_given_wrong_password_when_logging_in_then_error_is_shown(county, page):
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", "bianban")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_selector(".alert-danger")
    assert "/login/" in page.url


def test_given_anonymous_when_opening_a_page_then_redirected_to_login(county, page):
    page.goto(page.base_url + "/org/organisations/")
    assert "/login/" in page.url
