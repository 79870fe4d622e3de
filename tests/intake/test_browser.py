"""Browser flows on a phone (390×844, headless Chromium): the public form → receipt and tracking page; a grid
worker's field report; the township's inbox and request page. Every page must fit the phone's width."""

from pathlib import Path

import pytest

from tiaokuai.intake import services
from tiaokuai.intake.models import Request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


def fits(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"intake-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide on a {PHONE['width']}px phone"


def test_given_a_citizen_on_a_phone_when_submitting_then_a_receipt_code_and_the_tracking_page_fit(rcounty, page):
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/intake/submit/")
    fits(page, "submit")
    page.fill("#id_description", "小区门口的路灯坏了一个多月了，晚上出门很不方便，请尽快修理")
    page.select_option("#id_village", rcounty.villages[1].code)
    page.fill("#id_citizen_name", "王小明")
    page.fill("#id_citizen_phone", "13812345678")
    page.click("#submit-form button[type=submit]")
    page.wait_for_selector("#tracking-code")
    r = Request.objects.get()
    assert page.inner_text("#tracking-code") == r.tracking_code
    fits(page, "receipt")
    assert "13812345678" not in page.content()
    page.goto(page.base_url + "/intake/track/")
    fits(page, "track")
    page.fill("#id_code", r.tracking_code)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#progress")
    fits(page, "tracking")


def test_given_a_grid_worker_on_a_phone_when_reporting_then_the_township_works_it_from_its_phone(
        rcounty, page, browser_login):
    page.set_viewport_size(PHONE)
    browser_login(rcounty.users["grid_worker"])
    page.goto(page.base_url + "/intake/field/")
    fits(page, "field")
    page.fill("#id_description", "村道旁路灯不亮")
    page.select_option("#id_matter", "CX-001")
    page.select_option("#id_village", rcounty.villages[0].code)
    page.click("#field-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    r = Request.objects.get()
    assert r.channel == "grid" and r.dispatches.get().organisation == rcounty.township_orgs[0]
    fits(page, "field-detail")

    page.context.clear_cookies()
    browser_login(rcounty.users["township"])
    page.goto(page.base_url + "/intake/inbox/")
    fits(page, "inbox")
    page.click("[data-dispatch] form[action$='/accept/'] button")
    page.wait_for_selector(".alert-success")
    page.goto(page.base_url + f"/intake/{r.pk}/")
    fits(page, "detail")
    assert r.number in page.inner_text("h1")


def test_given_the_supervision_page_on_a_phone_then_it_fits(rcounty, page, browser_login, clock):
    services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="燃气泄漏" * 20,
                            village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                            matter_code="ZR-001", kind="life_property")
    page.set_viewport_size(PHONE)
    browser_login(rcounty.users["supervisor"])
    page.goto(page.base_url + "/intake/supervision/")
    fits(page, "supervision")
