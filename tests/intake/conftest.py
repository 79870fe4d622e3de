"""Request fixtures: the test county with an operator (command centre), a supervisor, a proxy agent, a matter
whose primary body is 属地乡镇（街道）, and a settable clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import make_user
from tiaokuai.duties.models import Assignment, Matter

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def rcounty(county):
    c = county
    c.users["operator"] = c.users["leader"]  # the command centre takes the hotline
    c.users["supervisor"] = make_user("ducha", "吴督查", c.departments["D-BB"], "supervision")
    c.users["proxy"] = make_user("daiban", "郑代办", c.township_orgs[0], "proxy_agent", division=c.villages[0])
    m = Matter.objects.create(release=c.release, code="CX-001", name="路灯损坏维修", domain=c.domains["ZRZY"],
                              kind="other")
    Assignment.objects.create(matter=m, body_kind="territorial_township", organisation=None, role="primary",
                              duty="负责辖区路灯维修。")
    return c


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
    return Clock(monkeypatch)
