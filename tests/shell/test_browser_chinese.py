"""The browser's own messages in Chinese (headless Chromium speaks English in its own messages whatever the page's
language): required fields say 请填写此项, file inputs offer 拍照或选择照片, dates are typed as 2026-12-07."""

import pytest

from tests.whistles.test_views import make_whistle_list

pytestmark = pytest.mark.browser


def test_given_a_required_date_left_empty_or_mistyped_when_saving_then_the_browser_says_so_in_chinese(
        county, page, browser_login):
    browser_login(county.users["establishment_office"])
    page.goto(page.base_url + "/system/calendar/")
    day = "#id_day"
    assert page.get_attribute(day, "type") == "text"
    assert page.get_attribute(day, "placeholder") == "年-月-日，如 2026-12-07"
    page.fill(day, "")
    page.click("form:has(#id_day) button[type=submit]")
    assert page.eval_on_selector(day, "el => el.validationMessage") == "请填写此项。"
    page.fill(day, "12/07/2026")  # typing clears the message, then the format is checked
    page.click("form:has(#id_day) button[type=submit]")
    assert page.eval_on_selector(day, "el => el.validationMessage") == "年-月-日，如 2026-12-07"
    assert page.url.endswith("/system/calendar/")  # nothing was sent


def test_given_the_raise_form_when_opened_then_the_photo_input_has_a_chinese_button_and_shows_the_choice(
        county, page, browser_login, tmp_path):
    make_whistle_list(county)
    browser_login(county.users["township"])
    page.goto(page.base_url + "/whistles/raise/")
    box = page.locator(".file-box")
    assert box.count() == 1
    assert box.locator(".file-button").inner_text() == "拍照或选择照片"
    assert box.locator(".file-names").inner_text() == "未选择文件"
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + b"0" * 64)
    page.set_input_files("input[type=file]", str(photo))
    assert box.locator(".file-names").inner_text() == "现场.png"
