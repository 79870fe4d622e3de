"""A small, fully wired county for tests: two townships, three departments, one user per role."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tiaokuai.duties.models import Assignment, ListRelease, Matter, ProcessStep
from tiaokuai.org.models import Division, Domain, Membership, Organisation, Person

PASSWORD = "test-pass-123"


@dataclass
class County:
    county: Division
    townships: list[Division]
    villages: list[Division]
    grids: list[Division]
    departments: dict[str, Organisation]
    township_orgs: list[Organisation]
    offices: list[Organisation] = field(default_factory=list)
    domains: dict[str, Domain] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    release: ListRelease | None = None


def make_user(username: str, person_name: str, organisation: Organisation, role: str, *,
              division: Division | None = None, is_head: bool = False):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    person = Person.objects.create(name=person_name, user=user, phone="13800000000", id_number="110101199001011234")
    Membership.objects.create(person=person, organisation=organisation, role=role, division=division, is_head=is_head)
    return user


def make_county() -> County:
    county = Division.objects.create(code="330000", name="示范县", level="county", kind="county", institution_limit=35)
    townships, villages, grids, township_orgs, offices = [], [], [], [], []
    for i, (name, kind) in enumerate([("青石镇", "town"), ("白云乡", "township")], start=1):
        t = Division.objects.create(code=f"3300{i:02d}", name=name, level="township", kind=kind, parent=county)
        townships.append(t)
        org = Organisation.objects.create(code=f"T{i:02d}", name=f"{name}人民政府", kind="township", division=t)
        township_orgs.append(org)
        offices.append(Organisation.objects.create(code=f"T{i:02d}-01", name=f"{name}党政办公室",
                                                   kind="township_office", parent=org, division=t))
        for j in range(1, 3):
            v = Division.objects.create(code=f"{t.code}{j:03d}", name=f"{name[:2]}{j}村", level="village",
                                        kind="village", parent=t, township=t)
            villages.append(v)
            grids.append(Division.objects.create(code=f"{v.code}01", name=f"{v.name}第一网格", level="grid",
                                                 kind="grid", parent=v, township=t))
    departments = {
        code: Organisation.objects.create(code=code, name=name, kind="county_department", division=county,
                                          counts_toward_limit=True)
        for code, name in [("D-ZR", "县自然资源局"), ("D-HB", "县生态环境局"), ("D-SJ", "县市场监管局"),
                           ("D-BB", "县委编办")]
    }
    station = Organisation.objects.create(code="D-SJ-01", name="青石市场监管所", kind="stationed_agency",
                                          parent=departments["D-SJ"], division=townships[0])
    domains = {c: Domain.objects.create(code=c, name=n, order=i)
               for i, (c, n) in enumerate([("ZRZY", "自然资源"), ("STHJ", "生态环境"), ("SCJG", "市场监管")])}
    c = County(county, townships, villages, grids, departments, township_orgs, offices, domains)
    c.users = {
        "establishment_office": make_user("bianban", "王编办", departments["D-BB"], "establishment_office"),
        "department": make_user("ziranju", "李自然", departments["D-ZR"], "department", is_head=True),
        "department_other": make_user("huanbao", "赵环保", departments["D-HB"], "department"),
        "station": make_user("shichangsuo", "钱市场", station, "department"),
        "township": make_user("qingshi", "张青石", township_orgs[0], "township", division=townships[0]),
        "township_other": make_user("baiyun", "陈白云", township_orgs[1], "township", division=townships[1]),
        "grid_worker": make_user("wangge", "刘网格", township_orgs[0], "grid_worker", division=grids[0]),
        "leader": make_user("lingdao", "周领导", departments["D-BB"], "leader"),
        "citizen": get_user_model().objects.create_user(username="qunzhong", password=PASSWORD),
    }
    c.release = make_release(c)
    return c


def make_release(c: County, *, effective_from: dt.date | None = None) -> ListRelease:
    release = ListRelease.objects.create(
        kind="responsibility", number=1, title="示范县主体责任和配合责任清单（2026年版）", status="published",
        effective_from=effective_from or dt.date(2026, 1, 1), created_at=timezone.now(), published_at=timezone.now(),
    )
    specs = [
        ("ZR-001", "违法占用耕地建房查处", "ZRZY", "penalty", "D-ZR", ["T01"]),
        ("HB-001", "餐饮油烟污染投诉处理", "STHJ", "inspection", "D-HB", ["D-SJ"]),
        ("SJ-001", "食品经营许可", "SCJG", "licensing", "D-SJ", []),
    ]
    for code, name, domain, kind, primary, coordinating in specs:
        m = Matter.objects.create(release=release, code=code, name=name, domain=c.domains[domain], kind=kind,
                                  legal_basis="《中华人民共和国土地管理法》第七十七条")
        Assignment.objects.create(matter=m, organisation=Organisation.objects.get(code=primary), role="primary",
                                  duty="负责受理、调查和处理。")
        for org_code in coordinating:
            Assignment.objects.create(matter=m, organisation=Organisation.objects.get(code=org_code),
                                      role="coordinating", duty="负责日常巡查，发现后及时报告。")
        ProcessStep.objects.create(matter=m, order=1, organisation=Organisation.objects.get(code=primary),
                                   action="受理并核查", time_limit_days=3)
    return release
