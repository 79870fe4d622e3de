"""The raise form asks the router while the township types, and pre-selects the item; a person confirms."""

import pytest

from tests.whistles.conftest import make_whistle_list
from tiaokuai.routing.services import routing_train

pytestmark = pytest.mark.browser


@pytest.fixture
def trained_county(county):
    make_whistle_list(county)
    routing_train(history=[])
    return county


def test_given_a_description_when_typed_then_the_matching_item_is_preselected_with_reasons(
    trained_county, browser_login
):
    page = browser_login(trained_county.users["township"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/whistles/raise/")
    page.fill("#id_description", "村里有人占用耕地建房，挖掘机正在施工")
    page.locator("#id_description").dispatch_event("change")
    page.wait_for_selector("#routing-suggestions li[data-matter='ZR-001']")
    assert page.input_value("#id_item") == "CS-ZR-01"
    assert page.is_visible("#routing-preselected")
    assert "耕地" in page.inner_text("#routing-suggestions")


def test_given_an_item_chosen_by_hand_when_suggestions_arrive_then_the_choice_is_kept(
    trained_county, browser_login
):
    page = browser_login(trained_county.users["township"])
    page.goto(page.base_url + "/whistles/raise/")
    page.select_option("#id_item", "CS-SJ-01")
    page.fill("#id_description", "有人占用耕地建房")
    page.locator("#id_description").dispatch_event("change")
    page.wait_for_selector("#routing-suggestions li[data-matter]")
    assert page.input_value("#id_item") == "CS-SJ-01"
