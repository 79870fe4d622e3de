"""On a phone the township fills the place from the phone's position ("使用我的位置") instead of typing latitude and
longitude by hand (headless Chromium with a granted, fixed position)."""

import pytest

from .test_views import make_whistle_list

pytestmark = pytest.mark.browser


def test_given_a_phone_with_a_position_when_use_my_location_is_tapped_then_latitude_and_longitude_are_filled(
        county, page, browser_login):
    make_whistle_list(county)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"], origin=page.base_url)
    page.context.set_geolocation({"latitude": 28.6912345, "longitude": 118.2512})
    browser_login(county.users["township"])
    page.goto(page.base_url + "/whistles/raise/")
    button = page.locator("#locate-button")
    assert button.is_visible() and button.inner_text() == "使用我的位置"
    button.click()
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    assert page.input_value("#id_latitude") == "28.691235"
    assert page.input_value("#id_longitude") == "118.251200"
    assert page.inner_text("#locate-status") == "已填入当前位置，请核对。"
