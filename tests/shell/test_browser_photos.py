"""Camera-first photo fields on the phone pages (core.forms.PhotoInput + static/js/photos.js), at 390×844: the
township's raise form and the grid worker's field report offer "拍照" (a file input with capture="environment", the
phone's rear camera) and "从相册选择" (several at once); every shot and choice shows as a thumbnail, one can be removed,
the page stays within the phone's width, and what the thumbnails show is exactly what the server receives."""

import struct
import zlib

import pytest

from tests.shell.test_browser_phone import OVERFLOW
from tests.whistles.test_views import make_whistle_list
from tiaokuai.intake.models import Request, RequestAttachment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def png(path, shade=0):
    """A real 8×8 PNG (the server checks the type by its bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes([shade, 120, 200]) * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return str(path)


def check_photo_box(page, tmp_path):
    box = page.locator("[data-photo-input]")
    assert box.count() == 1
    camera, album = box.locator("[data-photo-camera]"), box.locator("[data-photo-album]")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert album.get_attribute("multiple") is not None and album.get_attribute("capture") is None
    assert box.locator("label.photo-camera").inner_text().strip().endswith("拍照")
    assert box.locator("label.photo-gallery").inner_text().strip().endswith("从相册选择")
    assert box.locator("[data-photo-status]").inner_text() == "还没有照片"
    assert page.locator(".file-box").count() == 0  # not dressed a second time by the generic file button
    camera.set_input_files(png(tmp_path / "现场1.png", 10))
    camera.set_input_files(png(tmp_path / "现场2.png", 60))  # a second shot adds, it does not replace
    album.set_input_files([png(tmp_path / "相册1.png", 110), png(tmp_path / "相册2.png", 160)])
    previews = box.locator(".photo-preview img")
    assert previews.count() == 4
    assert box.locator("[data-photo-status]").inner_text() == "已选 4 张照片"
    assert "现场1.png" in previews.first.get_attribute("alt")
    box.locator(".photo-remove").nth(1).click()  # 现场2 goes
    assert previews.count() == 3 and box.locator("[data-photo-status]").inner_text() == "已选 3 张照片"
    assert page.evaluate("() => document.querySelector('[data-photo-album]').files.length") == 3
    assert page.evaluate("() => document.querySelector('[data-photo-camera]').files.length") == 0
    result = page.evaluate(OVERFLOW)
    assert result == {"scroll": 0, "wide": []}, result


def test_given_the_township_raise_form_at_390_then_camera_first_with_thumbnails(county, page, browser_login,
                                                                                 tmp_path):
    make_whistle_list(county)
    browser_login(county.users["township"])
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/whistles/raise/")
    check_photo_box(page, tmp_path)
    page.screenshot(path=str(tmp_path / "raise.png"), full_page=True)


def test_given_a_grid_worker_at_390_when_reporting_with_photos_then_what_the_thumbnails_show_is_sent(
        county, page, browser_login, tmp_path):
    browser_login(county.users["grid_worker"])
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/intake/field/")
    check_photo_box(page, tmp_path)
    page.fill("#id_description", "村口路灯坏了三盏，晚上很黑")
    page.select_option("#id_village", index=1)
    page.click("#field-form button[type=submit]")
    page.wait_for_url("**/intake/*/")
    r = Request.objects.get(description="村口路灯坏了三盏，晚上很黑")
    names = sorted(RequestAttachment.objects.filter(request=r).values_list("original_name", flat=True))
    assert names == ["现场1.png", "相册1.png", "相册2.png"]
