import pytest

from tiaokuai.duties.models import ListRelease

pytestmark = pytest.mark.browser


def test_given_office_when_starting_editing_and_publishing_a_version_then_diff_is_shown(county, browser_login):
    page = browser_login(county.users["establishment_office"])
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(page.base_url + "/lists/releases/")
    page.click("#start-draft")
    page.wait_for_selector("#release-status")
    draft = ListRelease.objects.get(status="draft")
    assert f"/lists/releases/{draft.pk}/" in page.url
    row = page.locator("#matters tr", has_text="食品经营许可")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    page.fill("#publish-form input[name=effective_from]", "2026-07-01")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#diff")
    assert "/lists/diff/" in page.url
    removed = page.locator("#diff tr.diff-removed")
    assert removed.count() == 1 and "食品经营许可" in removed.inner_text()
    assert ListRelease.objects.get(pk=draft.pk).status == "published"


def test_given_citizen_without_login_when_searching_public_list_then_matching_matter_expands(county, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/lists/public/")
    assert page.locator("details.matter").count() == 3
    page.fill("input[name=q]", "油烟")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**q=*")
    assert page.locator("details.matter").count() == 1
    page.click("details.matter summary")
    body = page.locator("details.matter .card-body")
    assert body.is_visible() and "县生态环境局" in body.inner_text()
