"""Phone layouts (390×844) and every role's workbench, on the demo county in headless Chromium: no page a township,
grid worker, proxy agent, officer or citizen uses is wider than the phone, nothing sticks out of its card, and
every role's workbench opens at desktop and phone size. Screenshots go to test-artifacts/ (gitignored)."""

from pathlib import Path

import pytest
from django.test import Client

from tests.demo.test_load import load
from tiaokuai.core.access import viewer_for
from tiaokuai.org.models import Membership
from tiaokuai.shell.navigation import nav_for
from tiaokuai.whistles.models import Whistle

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PHONE_ROLES = ["township", "grid_worker", "proxy_agent", "officer", "citizen"]
ALL_ROLES = ["establishment_office", "department", "township", "officer", "grid_worker", "proxy_agent", "leader",
             "supervision", "citizen"]

# What is wider than the viewport: the document itself, and any visible element reaching past either edge (a
# table column hidden in a scrolling box is off the screen as well).
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' '
        + (el.textContent || '').trim().slice(0, 30));
  }
  return {scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth, wide: wide.slice(0, 5)};
}"""


def user_of(role):
    m = Membership.objects.filter(role=role, person__user__isnull=False).order_by("pk").first()
    return m.person.user if m else None


def citizen():
    from django.contrib.auth import get_user_model

    from tests.demo.test_load import PASSWORD  # noqa: F401  (the demo's accounts)

    return get_user_model().objects.filter(username="qunzhong").first() or user_of("citizen")


def sign_in(page, settings, user):
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": page.base_url}])


def pages_of(user, role):
    """The pages the role works with: its menu, its workbench, a whistle of its township, the public list."""
    viewer = viewer_for(user)
    urls = ["/"] + [item["url"] for s in nav_for(viewer) for item in s["items"] if item["url"] != "/"]
    if role in ("township", "grid_worker", "officer") and viewer.township_ids:
        w = Whistle.objects.filter(township_id__in=viewer.township_ids).order_by("-raised_at").first()
        if w:
            urls.append(f"/whistles/{w.pk}/")
    urls.append("/lists/public/")
    return urls


def check(page, url, shots, name):
    resp = page.goto(page.base_url + url)
    assert resp.status == 200, (url, resp.status)
    page.wait_for_load_state("networkidle")
    result = page.evaluate(OVERFLOW)
    if shots:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return result


def test_given_the_demo_county_when_phone_roles_open_their_pages_at_390_then_nothing_is_wider_than_the_phone(
        page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load(1)
    page.set_viewport_size(PHONE)
    problems = {}
    opened = 0
    for role in PHONE_ROLES:
        user = citizen() if role == "citizen" else user_of(role)
        assert user is not None, role
        sign_in(page, settings, user)
        for url in pages_of(user, role):
            slug = url.strip("/").replace("/", "-") or "home"
            result = check(page, url, url == "/", f"phone-{role}-{slug}")
            opened += 1
            if result["scroll"] > 0 or result["wide"]:
                problems[(role, url)] = result
    assert opened >= 30
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_given_the_demo_county_when_every_role_opens_the_workbench_then_it_fits_desktop_and_phone(
        page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load(1)
    for role in ALL_ROLES:
        user = citizen() if role == "citizen" else user_of(role)
        sign_in(page, settings, user)
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            result = check(page, "/", True, f"workbench-{role}-{size}")
            assert result == {"scroll": 0, "wide": []}, (role, size, result)
            assert page.locator("h1").inner_text() == "工作台"
            todo = page.locator("#todo")
            assert todo.count() == 1
            assert page.locator(".todo-item").count() > 0 or "暂无待办" in todo.inner_text()
            if page.locator(".todo-item").count():
                # overdue first: no overdue item after one that is not
                flags = page.locator(".todo-item").evaluate_all("els => els.map(e => e.dataset.overdue)")
                assert flags == sorted(flags, reverse=True), (role, flags)
                # the action is a link with its deadline as text, never only hover text
                first = page.locator(".todo-item").first
                assert first.locator("a.todo-action").get_attribute("href")
                assert first.locator(".todo-due").inner_text().strip()


def test_given_the_demo_county_when_the_office_and_the_leader_open_their_lists_at_390_then_they_fit_the_phone(
        page, settings, tmp_path):
    """The county's roles work at a desk, but open whistles, figures and lists on a phone too: the office's whistle
    pages (list, one of each state, board, disputes, figures), the registry lists and trees, and the leader's
    notifications (long titles) stay within 390 px; a sort chosen from the menu (the phone hides the headers) works."""
    settings.VAR_DIR = tmp_path
    load(1)
    page.set_viewport_size(PHONE)
    office = user_of("establishment_office")
    urls = ["/whistles/", "/whistles/board/", "/whistles/disputes/", "/whistles/figures/",
            "/whistles/figures/?by=township", "/org/organisations/", "/org/organisations/?view=tree",
            "/org/people/", "/org/certificates/", "/intake/", "/lists/", "/system/inbox/"]
    for status in ("routing", "open", "resolved", "closed"):
        w = Whistle.objects.filter(status=status).order_by("-raised_at").first()
        if w:
            urls.append(f"/whistles/{w.pk}/")
    problems = {}
    sign_in(page, settings, office)
    for url in urls:
        result = check(page, url, False, "")
        if result["scroll"] > 0 or result["wide"]:
            problems[("establishment_office", url)] = result
    sign_in(page, settings, user_of("leader"))
    for url in ("/system/inbox/", "/whistles/figures/"):
        result = check(page, url, False, "")
        if result["scroll"] > 0 or result["wide"]:
            problems[("leader", url)] = result
    assert len(urls) >= 15
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    sign_in(page, settings, office)
    page.goto(page.base_url + "/org/organisations/")
    page.select_option("#list-sort", "-name")
    page.click("#list-filter button[type=submit]")
    page.wait_for_url("**sort=-name**")
    names = page.locator("#organisations tbody tr td:nth-child(2)").all_inner_texts()
    from tiaokuai.org.models import Organisation

    assert len(names) > 5 and names == list(Organisation.objects.order_by("-name", "-pk")
                                            .values_list("name", flat=True)[:len(names)])
    assert page.locator("#organisations th[data-label] a[data-sort=name]").count() == 1
    assert page.get_attribute("#organisations th:has(a[data-sort=name])", "aria-sort") == "descending"


def caller():
    """A user who works the callback queue in the demo (the command centre or a hotline operator)."""
    from django.contrib.auth import get_user_model

    from tiaokuai.intake.access import takes_calls

    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        if takes_calls(viewer_for(user)):
            return user
    return None


# Issue 11: the work queues on the list pattern, the versions, the tree searched (units above each match).
QUEUE_PAGES = [
    ("department", ["/whistles/inbox/", "/whistles/inbox/?sort=-number", "/intake/inbox/",
                    "/intake/inbox/?q=没有这件"]),
    ("township", ["/whistles/inbox/", "/whistles/board/?status=open", "/intake/inbox/"]),
    ("leader", ["/whistles/board/", "/whistles/board/?overdue=on&sort=urgency", "/intake/supervision/"]),
    ("supervision", ["/intake/supervision/", "/intake/supervision/items/", "/intake/supervision/items/?status="]),
    ("establishment_office", ["/lists/releases/", "/lists/releases/?q=没有", "/org/organisations/?view=tree&q=办",
                              "/system/outbox/", "/system/outbox/?state=failed"]),
    ("caller", ["/intake/callbacks/"]),
]


def test_given_the_demo_county_when_the_work_queues_open_at_390_then_they_fit_the_phone(page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load(1)
    page.set_viewport_size(PHONE)
    problems, opened = {}, 0
    for role, urls in QUEUE_PAGES:
        user = caller() if role == "caller" else user_of(role)
        assert user is not None, role
        sign_in(page, settings, user)
        for url in urls:
            slug = url.strip("/").replace("/", "-").replace("?", "_")
            result = check(page, url, True, f"queue-{role}-{slug}")
            opened += 1
            if result["scroll"] > 0 or result["wide"]:
                problems[(role, url)] = result
    assert opened >= 19
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    # the citizen: the registry is refused in Chinese, the versions lead to the public list — on the phone too
    sign_in(page, settings, citizen())
    resp = page.goto(page.base_url + "/org/organisations/?view=tree")
    assert resp.status == 403 and "无权访问" in page.inner_text("body")
    resp = page.goto(page.base_url + "/lists/releases/")
    assert resp.status == 200 and page.url.endswith("/lists/public/")
    assert page.evaluate(OVERFLOW)["scroll"] == 0
