"""The timeline of a whistle with a long history reads as Chinese sentences on a phone (headless Chromium)."""

import pytest
from django.db.models import Count
from django.test import Client

from tests.demo.test_load import load
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.models import Membership
from tiaokuai.whistles.models import Whistle

pytestmark = pytest.mark.browser


def test_given_a_whistle_with_a_rich_history_when_opened_on_a_phone_then_the_timeline_reads_as_sentences(
        page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load(1)
    counts = (AuditEvent.objects.filter(object_type="whistles.whistle").values("object_id")
              .annotate(n=Count("id")).order_by("-n", "object_id"))
    rich = [int(r["object_id"]) for r in counts[:20]]
    escalated = set(AuditEvent.objects.filter(action="whistles.escalate", object_id__in=[str(i) for i in rich])
                    .values_list("object_id", flat=True))
    whistle = Whistle.objects.get(pk=next((i for i in rich if str(i) in escalated), rich[0]))
    office = (Membership.objects.filter(role="establishment_office", person__user__isnull=False)
              .order_by("pk").first().person.user)

    page.set_viewport_size({"width": 390, "height": 844})
    client = Client()
    client.force_login(office)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": page.base_url}])
    page.goto(f"{page.base_url}/whistles/{whistle.pk}/")
    timeline = page.locator("#timeline")
    timeline.scroll_into_view_if_needed()
    timeline.screenshot(path=str(tmp_path / "timeline.png"))
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

    text = timeline.inner_text()
    assert "吹哨" in text and "接单" in text and "状态：" in text and " → " in text
    assert "whistles." not in text and "{" not in text and "None" not in text
    assert "系统" in text  # escalations by the sweep
    overflow = page.evaluate("""() => {
        const card = document.querySelector('#timeline');
        return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                card: card.scrollWidth - card.clientWidth};
    }""")
    assert overflow == {"page": 0, "card": 0}
