"""Whistle fixtures: a published whistle list on the test county's responsibility list, and a settable clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tiaokuai.duties.models import ListRelease
from tiaokuai.whistles import services as whistle_services
from tiaokuai.whistles.models import WhistleItem

TZ = ZoneInfo("Asia/Shanghai")


def make_whistle_list(c, *, effective_from=dt.date(2026, 1, 1)):
    release = ListRelease.objects.create(
        kind="whistle", number=1, title="示范县乡镇吹哨清单", status="published", effective_from=effective_from,
        created_at=timezone.now(), published_at=timezone.now(),
    )
    specs = [
        # code, name, domain, class, matter
        ("CS-ZR-01", "辖区内发现违法占用耕地建房需立案查处", "ZRZY", "must", "ZR-001"),
        ("CS-HB-01", "企业油烟扬尘污染群众反映强烈需执法监测", "STHJ", "should", "HB-001"),
        ("CS-SJ-01", "无证经营食品需联合查处", "SCJG", "may", "SJ-001"),
    ]
    for code, name, domain, klass, matter in specs:
        WhistleItem.objects.create(release=release, code=code, name=name, domain=c.domains[domain],
                                   whistle_class=klass, trigger="乡镇发现后无法单独处置时", matter_code=matter)
    whistle_services.clear_route_cache()
    return release


@pytest.fixture
def wcounty(county):
    """The test county with a published whistle list (items CS-ZR-01, CS-HB-01, CS-SJ-01)."""
    county.whistle_release = make_whistle_list(county)
    return county


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday, 09:00 in Shanghai
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args, **kwargs):
        self.now = dt.datetime(*args, tzinfo=TZ, **kwargs)
        return self.now

    def advance(self, **delta):
        self.now = self.now + dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """clock.set(2026, 9, 30, 16) / clock.advance(hours=2): timezone.now() for the test."""
    return Clock(monkeypatch)
