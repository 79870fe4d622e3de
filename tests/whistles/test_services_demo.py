"""The demo whistle list: ~90 items in 8 domains resting on the demo responsibility list, and they route."""

import pytest
from django.core.management import call_command

from tiaokuai.duties.models import ListRelease
from tiaokuai.org.models import Division, Membership
from tiaokuai.whistles import services
from tiaokuai.whistles.models import WhistleItem

pytestmark = pytest.mark.django_db


def test_given_demo_county_when_loaded_then_whistle_list_is_published_and_items_route(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", "load", "--seed", "1", "--scale", "small", "--password", "demo-test-pw")
    release = ListRelease.objects.get(kind="whistle")
    assert release.status == "published" and str(release.effective_from) == "2026-01-01"
    items = WhistleItem.objects.filter(release=release)
    assert 85 <= items.count() <= 97
    assert items.values("domain").distinct().count() == 8
    assert items.exclude(matter_code="").count() >= items.count() * 0.9
    assert set(items.values_list("whistle_class", flat=True)) == {"must", "should", "may"}
    services.clear_route_cache()
    membership = Membership.objects.filter(role="township", person__user__isnull=False).select_related(
        "person__user").first()
    township_id = membership.division.township_id or membership.division_id
    village = Division.objects.filter(level="village", township_id=township_id).first()
    item = items.get(name="企业油烟扬尘污染群众反映强烈需执法监测")
    w = services.whistle_raise(actor=membership.person.user, item_code=item.code, village_code=village.code,
                               description="化工企业排放刺鼻气味，周边村民反映强烈")
    assert w.status == "open"
    lead = w.dispatches.get(role="lead")
    assert lead.organisation.kind == "county_department" and lead.matter_code == item.matter_code
