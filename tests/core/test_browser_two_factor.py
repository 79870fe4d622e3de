"""The second factor in a real browser on a phone (390×844): enrol by the QR code's key, confirm, sign out, sign
in with password then code; and a whistle's description masked then revealed with a purpose."""

import re

import pyotp
import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = "/tmp/shots-10"


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_given_a_phone_when_enrolling_and_signing_in_with_a_code_then_it_works_and_fits(county, page,
                                                                                      browser_login):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    user = county.users["leader"]
    browser_login(user)
    page.goto(page.base_url + "/account/two-factor/")
    page.click("button:has-text('绑定第二重验证')")
    page.wait_for_selector("#qr svg")
    assert _fits(page)
    page.screenshot(path=f"{SHOTS}/enrol.png", full_page=True)
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.fill("#confirm-form #id_code", pyotp.TOTP(secret).now())
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(re.findall(r"[a-z0-9]{5}-[a-z0-9]{5}", page.locator("#recovery-codes").inner_text())) == 10
    assert _fits(page)
    page.screenshot(path=f"{SHOTS}/recovery-codes.png", full_page=True)
    page.context.clear_cookies()
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/login/code/")
    assert "验证码" in page.content() and _fits(page)
    page.screenshot(path=f"{SHOTS}/login-code.png", full_page=True)
    page.fill("#id_code", "000000")
    page.click("#code-form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    code = pyotp.TOTP(secret)
    # the confirming code's step is spent; the next step's code (or the current one if a step passed) works
    import time

    page.fill("#id_code", code.at(time.time() + 30))
    page.click("#code-form button[type=submit]")
    page.wait_for_url(page.base_url + "/")


def test_given_a_whistle_with_a_phone_when_revealed_with_a_purpose_then_shown_once(county, page, browser_login):
    from tiaokuai.whistles import services

    from ..whistles.test_views import make_whistle_list

    make_whistle_list(county)
    w = services.whistle_raise(actor=county.users["township"], item_code="CS-ZR-001",
                               village_code=county.villages[0].code, description="占地建房，联系人13912345678")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(county.users["township"])
    page.goto(f"{page.base_url}/whistles/{w.pk}/")
    assert page.locator("#whistle-description").inner_text() == "占地建房，联系人139****5678"
    page.fill("#reveal-form input[name=purpose]", "回访当事人")
    page.click("#reveal-form button[type=submit]")
    page.wait_for_selector("#revealed-note")
    assert page.locator("#whistle-description").inner_text() == "占地建房，联系人13912345678"
    assert _fits(page)
    page.screenshot(path=f"{SHOTS}/whistle-revealed.png", full_page=True)
