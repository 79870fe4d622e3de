"""The browser's own messages in Chinese (headless Chromium speaks English in its own messages whatever the page's
language): required fields say 请填写此项, file inputs offer 选择文件, dates are typed as 2026-12-07."""

import pytest

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


def test_given_a_file_field_when_opened_then_it_has_a_chinese_button_and_shows_the_choice(
        county, page, browser_login, tmp_path):
    """A spreadsheet upload (the draft's import): "选择文件" and the chosen name. Photo fields have their own camera
    and album buttons (tests/shell/test_browser_photos.py)."""
    from django.utils import timezone

    from tiaokuai.duties.models import ListRelease

    draft = ListRelease.objects.create(kind="responsibility", number=2, title="草稿", status="draft",
                                       created_at=timezone.now())
    browser_login(county.users["establishment_office"])
    page.goto(page.base_url + f"/lists/releases/{draft.pk}/")
    box = page.locator(".file-box")
    assert box.count() == 1
    assert box.locator(".file-button").inner_text() == "选择文件"
    assert box.locator(".file-names").inner_text() == "未选择文件"
    sheet = tmp_path / "清单.xlsx"
    sheet.write_bytes(b"PK" + b"0" * 64)
    page.set_input_files("input[type=file]", str(sheet))
    assert box.locator(".file-names").inner_text() == "清单.xlsx"
