"""WCAG 2.1 AA on the main flows (axe-core from npm, frontend/node_modules, injected into headless Chromium): the
workbench, whistle list, raise form, whistle page and inbox of the township, the department and the office, the
office's lists (sortable headers, the organisation tree), the grid worker's field report (photo field), the
citizen's pages — at desktop and phone size. Fails on any serious or critical violation."""

from pathlib import Path

import pytest
from django.test import Client

from tests.demo.test_load import load
from tests.shell.test_browser_phone import citizen, user_of
from tiaokuai.core.access import viewer_for
from tiaokuai.whistles.models import Whistle

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' ' + v.impact + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '));
}"""


def flows(role, user):
    viewer = viewer_for(user)
    pages = ["/"]
    if role == "township":
        w = Whistle.objects.filter(township_id__in=viewer.township_ids).order_by("-raised_at").first()
        pages += ["/whistles/", "/whistles/raise/", "/whistles/inbox/", "/whistles/items/"]
        pages += [f"/whistles/{w.pk}/"] if w else []
    elif role == "department":
        w = (Whistle.objects.filter(dispatches__organisation_id__in=viewer.organisation_ids).first()
             or Whistle.objects.filter(status="open").first())
        pages += ["/whistles/inbox/", "/system/inbox/", "/intake/inbox/", "/whistles/inbox/?q=没有这件"]
        pages += [f"/whistles/{w.pk}/"] if w else []
    elif role == "establishment_office":
        pages += ["/whistles/board/", "/whistles/disputes/", "/whistles/figures/", "/org/staffing/", "/lists/diff/",
                  # the lists on core.listing (sortable headers, sort menu, export, empty states) and the tree
                  "/whistles/?sort=-number", "/org/organisations/?sort=name", "/org/organisations/?view=tree",
                  "/org/people/", "/org/certificates/?q=没有这张证", "/intake/", "/lists/", "/system/inbox/",
                  # issue 11: the versions, the tree searched, the overdue queue
                  "/lists/releases/", "/org/organisations/?view=tree&q=办", "/intake/supervision/",
                  "/whistles/board/?status=open"]
    elif role == "supervision":
        pages += ["/intake/supervision/items/", "/intake/supervision/items/?status="]
    elif role == "grid_worker":
        pages += ["/intake/field/"]  # the camera-first photo field
    elif role == "citizen":
        pages += ["/lists/public/"]
    return pages


def test_given_the_demo_county_when_axe_checks_the_main_flows_then_no_serious_violation(
        _browser, live_server, settings, tmp_path):
    assert AXE.exists(), "axe-core is installed from npm by scripts/bootstrap.sh (frontend/package.json)"
    settings.VAR_DIR = tmp_path
    load(1)
    axe = AXE.read_text(encoding="utf-8")
    # The pages allow no inline script (CSP); the checker is injected by the test, so this context bypasses it.
    context = _browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
    page = context.new_page()
    found, checked = {}, 0
    try:
        for role in ("township", "department", "establishment_office", "supervision", "grid_worker", "citizen"):
            user = citizen() if role == "citizen" else user_of(role)
            if role == "department":  # a department the history called
                from tiaokuai.org.models import Membership

                user = (Membership.objects.filter(role="department", person__user__isnull=False,
                                                  organisation__whistle_dispatches__isnull=False)
                        .order_by("pk").first().person.user)
            client = Client()
            client.force_login(user)
            context.clear_cookies()
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
            for size in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
                page.set_viewport_size(size)
                for url in flows(role, user):
                    page.goto(live_server.url + url)
                    page.wait_for_load_state("networkidle")
                    page.add_script_tag(content=axe)
                    violations = page.evaluate(RUN)
                    checked += 1
                    if violations:
                        found[(role, size["width"], url)] = violations
    finally:
        context.close()
    assert checked >= 30
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
