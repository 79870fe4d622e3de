"""Build the demo county in one transaction: divisions, units, establishment, staff, certificates,
the responsibility list (published v1 and a draft v2), and the demo accounts.

Everything random comes from one `random.Random(seed)` and is drawn in a fixed order before any row
is written, so a seed always gives the same codes, names and accounts. Dates (certificate expiry,
time in post) are relative to `today`, so a demo loaded any day shows expired and expiring
certificates."""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from tiaokuai.core import audit
from tiaokuai.core.personal import EXPORT_UNMASKED_PERMISSION
from tiaokuai.duties.choices import TERRITORIAL_TOWNSHIP_LABEL, BodyKind
from tiaokuai.duties.models import Assignment, ListRelease, Matter, ProcessStep
from tiaokuai.org.models import (
    Certificate,
    Division,
    Domain,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)

from . import matters as M
from . import names as N
from .accounts import AccountSpec, hash_password, write_accounts_file

# Extension loaders run after the base county: dotted paths to `load(*, rng, county, scale, release)`.
EXTENSIONS: list[str] = ["tiaokuai.whistles.demo.load", "tiaokuai.whistles.demo_history.load", "tiaokuai.routing.demo.load",
                         "tiaokuai.intake.demo.load"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
V1_EFFECTIVE = dt.date(2026, 1, 1)
V1_CREATED = dt.datetime(2025, 11, 20, 9, 30, tzinfo=SHANGHAI)
V1_PUBLISHED = dt.datetime(2025, 12, 18, 16, 0, tzinfo=SHANGHAI)
V2_EFFECTIVE = dt.date(2026, 7, 1)
V2_CREATED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


# ── Scale ────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Scale:
    name: str
    townships: int
    villages: int

    def __str__(self) -> str:
        return self.name


SCALES = {
    "small": Scale("small", 3, 30),
    "default": Scale("default", 12, 150),
    "large": Scale("large", 40, 1000),
}


def parse_scale(text: str | None) -> Scale:
    """`small`, `default`, `large` or `<N>t:<M>v` (e.g. `40t:1000v`)."""
    text = (text or "default").strip().lower()
    if text in SCALES:
        return SCALES[text]
    match = re.fullmatch(r"(\d+)t:(\d+)v", text)
    if not match:
        raise ValueError(f"unknown scale {text!r}: use small, default, large or <N>t:<M>v such as 40t:1000v")
    townships, villages = int(match[1]), int(match[2])
    if not 1 <= townships <= N.MAX_TOWNSHIPS:
        raise ValueError(f"the number of townships must be between 1 and {N.MAX_TOWNSHIPS}")
    if not townships * 2 <= villages <= townships * 150:
        raise ValueError("give each township between 2 and 150 villages")
    return Scale(text, townships, villages)


# ── Result ───────────────────────────────────────────────────────────────────────────────
@dataclass
class DemoResult:
    county: Division
    release: ListRelease
    draft: ListRelease
    accounts: list[dict[str, Any]]
    accounts_path: Any
    counts: dict[str, int] = field(default_factory=dict)


class RegistryNotEmpty(Exception):
    pass


def registry_is_empty() -> bool:
    return not (Division.objects.exists() or Organisation.objects.exists() or ListRelease.objects.exists())


def wipe() -> None:
    """Delete the platform's data (every tiaokuai app table) and every non-superuser account."""
    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.app_config.name.startswith("tiaokuai.") and not m._meta.proxy and m._meta.managed]
    tables = sorted({m._meta.db_table for m in models})
    existing = set(connection.introspection.table_names())
    tables = [t for t in tables if t in existing]
    with transaction.atomic():
        statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE refuses to run while deferred FK checks of this transaction are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in statements:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        get_user_model().objects.filter(is_superuser=False).delete()


# ── People ───────────────────────────────────────────────────────────────────────────────
_SURNAMES = [s for s, _ in N.SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in N.SURNAMES]
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


class PeopleMaker:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today

    def person(self, *, min_age: int = 23, max_age: int = 58) -> Person:
        rng = self.rng
        male = rng.random() < 0.58
        surname = rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS)[0]
        pool = N.GIVEN_MALE if male else N.GIVEN_FEMALE
        if rng.random() < 0.72:
            first = rng.choice(N.GIVEN_NEUTRAL + pool)
            second = rng.choice(pool)
            while second == first:
                second = rng.choice(pool)
            given = first + second
        else:
            given = rng.choice(pool)
        birth = self.today - dt.timedelta(days=rng.randint(min_age * 365, max_age * 365))
        seq = rng.randint(0, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male else rng.choice((0, 2, 4, 6, 8)))
        first17 = f"{rng.choice(N.ID_AREAS)}{birth:%Y%m%d}{seq:03d}"
        phone = rng.choice(N.MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        return Person(name=surname + given, id_number=first17 + id_check_digit(first17), phone=phone)


# ── The build ────────────────────────────────────────────────────────────────────────────
@dataclass
class Unit:
    org: Organisation
    township: Division | None
    head: str
    deputy: str
    post: str
    main_kind: str
    approved: int
    leadership: int
    enforcement_share: float = 0.0
    cert_domains: tuple[str, ...] = ()
    staff: list[Person] = field(default_factory=list)
    leadership_titles: tuple[str, ...] = ()


def _distribute(rng: random.Random, total: int, parts: int, minimum: int) -> list[int]:
    """Split `total` into `parts` uneven shares of at least `minimum` (largest remainder)."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    spare = total - minimum * parts
    raw = [spare * w / sum(weights) for w in weights]
    shares = [int(r) for r in raw]
    order = sorted(range(parts), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in order[: spare - sum(shares)]:
        shares[i] += 1
    return [minimum + s for s in shares]


def _staff_delta(rng: random.Random, approved: int) -> int:
    """Actual minus approved: most units a little short, some exactly full, some over."""
    r = rng.random()
    if r < 0.16:
        return rng.randint(1, 3)
    if r < 0.58:
        return -min(approved, rng.randint(1, max(1, min(4, approved // 3 + 1))))
    return 0


class Builder:
    def __init__(self, *, seed: int, scale: Scale, today: dt.date):
        self.seed = seed
        self.scale = scale
        self.today = today
        self.rng = random.Random(seed)
        self.people = PeopleMaker(self.rng, today)
        self.units: list[Unit] = []
        self.departments: dict[str, Organisation] = {}
        self.township_units: list[dict[str, Unit]] = []
        self.persons: list[Person] = []
        self.memberships: list[Membership] = []
        self.quotas: list[EstablishmentQuota] = []
        self.assignments: list[StaffAssignment] = []
        self.certificates: list[tuple[Certificate, tuple[str, ...]]] = []
        self.accounts: list[AccountSpec] = []

    # Divisions ------------------------------------------------------------------------
    def build_divisions(self) -> None:
        rng, scale = self.rng, self.scale
        self.county = Division(code=N.COUNTY_CODE, name=N.COUNTY_NAME, level="county", kind="county",
                               institution_limit=N.INSTITUTION_LIMIT)
        n = scale.townships
        n_sub = max(1, round(n * 0.2)) if n >= 2 else 1
        n_xiang = max(1, round(n * 0.3)) if n >= 3 else 0
        n_town = n - n_sub - n_xiang
        if n_town < 0:
            n_sub, n_xiang, n_town = n, 0, 0
        n_sub = min(n_sub, len(N.SUBDISTRICT_NAMES))
        n_town = n - n_sub - n_xiang
        subs = rng.sample(N.SUBDISTRICT_NAMES, n_sub)
        rural = rng.sample(N.RURAL_NAMES, n_town + n_xiang)
        self.townships: list[Division] = []
        self.township_pinyin: dict[str, str] = {}
        plan = ([(name, py, "subdistrict", "街道", 1 + i) for i, (name, py) in enumerate(subs)]
                + [(name, py, "town", "镇", 101 + i) for i, (name, py) in enumerate(rural[:n_town])]
                + [(name, py, "township", "乡", 201 + i) for i, (name, py) in enumerate(rural[n_town:])])
        for name, py, kind, suffix, number in plan:
            t = Division(code=f"{N.COUNTY_CODE}{number:03d}", name=name + suffix, level="township", kind=kind,
                         parent=self.county)
            t.short = name  # type: ignore[attr-defined]
            self.townships.append(t)
            self.township_pinyin[t.code] = py
        # Villages and communities, names unique in the county.
        combos = [p + s for p in N.VILLAGE_PREFIXES for s in N.VILLAGE_SUFFIXES if p != s]
        rng.shuffle(combos)
        community_pool = list(N.COMMUNITY_NAMES)
        rng.shuffle(community_pool)
        used: set[str] = set()

        def next_name(pool: list[str]) -> str:
            while pool:
                candidate = pool.pop()
                if candidate not in used:
                    used.add(candidate)
                    return candidate
            candidate = combos.pop()
            while candidate in used:
                candidate = combos.pop()
            used.add(candidate)
            return candidate

        per_township = _distribute(rng, scale.villages, n, 2)
        self.villages: list[Division] = []
        self.grids: list[Division] = []
        self.villages_of: dict[str, list[Division]] = {}
        self.grids_of: dict[str, list[Division]] = {}
        for t, count in zip(self.townships, per_township, strict=True):
            if t.kind == "subdistrict":
                communities = max(1, round(count * rng.uniform(0.55, 0.8)))
            elif t.kind == "town":
                communities = min(count - 1, rng.randint(1, 2))
            else:
                communities = 0
            vs, gs = [], []
            for j in range(count):
                is_community = j < communities
                number = (1 + j) if is_community else (201 + j - communities)
                name = next_name(community_pool) + "社区" if is_community else next_name(combos) + "村"
                v = Division(code=f"{t.code}{number:03d}", name=name, level="village",
                             kind="community" if is_community else "village", parent=t, township=t)
                vs.append(v)
                n_grids = rng.randint(2, 3) if is_community else rng.choices((1, 2, 3), weights=(5, 4, 1))[0]
                for g in range(n_grids):
                    gs.append(Division(code=f"{v.code}{g + 1:02d}", name=f"{name}{N.GRID_ORDINALS[g]}",
                                       level="grid", kind="grid", parent=v, township=t))
            self.villages_of[t.code] = vs
            self.grids_of[t.code] = gs
            self.villages.extend(vs)
            self.grids.extend(gs)

    # Organisations --------------------------------------------------------------------
    def _unit(self, org: Organisation, township: Division | None, *, head: str, deputy: str, post: str,
              main_kind: str, approved: int, leadership: int, share: float = 0.0,
              domains: tuple[str, ...] = (), titles: tuple[str, ...] = ()) -> Unit:
        unit = Unit(org, township, head, deputy, post, main_kind, approved, leadership, share, domains,
                    leadership_titles=titles)
        self.units.append(unit)
        return unit

    def build_organisations(self) -> None:
        rng, county = self.rng, self.county
        prefix = N.COUNTY_NAME
        self.county_units: dict[str, Unit] = {}
        for abbr, name, short, counts, head, adm, inst, domains in N.PARTY_BODIES + N.DEPARTMENTS:
            org = Organisation(code=f"{N.COUNTY_CODE}-{abbr}", name=prefix + name, short_name=short,
                               kind="county_department", division=county, counts_toward_limit=counts)
            self.departments[abbr] = org
            leadership = rng.randint(3, 5) if adm[1] >= 10 else rng.randint(2, 3)
            unit = self._unit(org, None, head=head, deputy="副" + head.removeprefix("分局"), post="",
                              main_kind="administrative", approved=rng.randint(*adm), leadership=leadership,
                              share=N.DEPARTMENT_ENFORCEMENT.get(abbr, 0.0), domains=domains)
            unit.institution_approved = rng.randint(*inst) if inst[1] else 0  # type: ignore[attr-defined]
            self.county_units[abbr] = unit
        for abbr, parent, name, short, head, org_kind in N.SUBORDINATE_BODIES:
            org = Organisation(code=f"{N.COUNTY_CODE}-{abbr}", name=prefix + name, short_name=short,
                               kind=org_kind, division=county, counts_toward_limit=False,
                               parent=self.departments[parent] if parent else None)
            self.departments[abbr] = org
            unit = self._unit(org, None, head=head, deputy="副" + head, post="", main_kind="institution"
                              if abbr == "ZHZX" else "administrative", approved=rng.randint(5, 9), leadership=2)
            unit.institution_approved = 0  # type: ignore[attr-defined]
            self.county_units[abbr] = unit

        for t in self.townships:
            short = t.short  # type: ignore[attr-defined]
            gov_name = f"{t.name}办事处" if t.kind == "subdistrict" else f"{t.name}人民政府"
            gov = Organisation(code=f"{t.code}-ZF", name=gov_name, short_name=t.name, kind="township", division=t)
            titles = N.township_leadership(t.kind)
            units = {"ZF": self._unit(gov, t, head=titles[0], deputy=titles[-1], post="科员",
                                      main_kind="administrative", approved=rng.randint(9, 12),
                                      leadership=rng.randint(8, 10), titles=titles)}
            for abbr, name, sn, head, deputy, post, kind, approved, lead, kinds in (
                    N.TOWNSHIP_OFFICES + N.TOWNSHIP_INSTITUTIONS):
                if t.kind not in kinds:
                    continue
                org_kind = "township_office" if kind == "administrative" else "public_institution"
                org = Organisation(code=f"{t.code}-{abbr}", name=t.name + name, short_name=sn, kind=org_kind,
                                   parent=gov, division=t)
                units[abbr] = self._unit(
                    org, t, head=head, deputy=deputy, post=post, main_kind=kind, approved=rng.randint(*approved),
                    leadership=rng.randint(*lead), share=N.TOWNSHIP_ENFORCEMENT.get(abbr, 0.0),
                    domains=("ZHZF",) if abbr == "ZFD" else ())
            for abbr, dept, suffix, sn, head, deputy, post, kind, approved, lead, kinds, domains in (
                    N.STATIONED_AGENCIES):
                if t.kind not in kinds:
                    continue
                org = Organisation(code=f"{t.code}-{abbr}", name=short + suffix, short_name=sn,
                                   kind="stationed_agency", parent=self.departments[dept], division=t)
                units[abbr] = self._unit(
                    org, t, head=head, deputy=deputy, post=post, main_kind=kind, approved=rng.randint(*approved),
                    leadership=rng.randint(*lead), share=N.TOWNSHIP_ENFORCEMENT.get(abbr, 0.0), domains=domains)
            self.township_units.append(units)

    # Establishment and staff ------------------------------------------------------------
    def _fill(self, unit: Unit, kind: str, approved: int, leadership: int, *, post: str) -> None:
        rng = self.rng
        self.quotas.append(EstablishmentQuota(organisation=unit.org, kind=kind, approved=approved,
                                              leadership_posts=leadership))
        actual = max(0, approved + _staff_delta(rng, approved))
        leaders = min(actual, leadership - (1 if leadership > 1 and rng.random() < 0.2 else 0))
        for i in range(actual):
            is_leader = i < leaders
            if is_leader:
                titles = unit.leadership_titles
                title = titles[i] if i < len(titles) else (unit.head if i == 0 else unit.deputy)
            else:
                title = post
            person = self.people.person(min_age=24 if not is_leader else 32)
            self.persons.append(person)
            unit.staff.append(person)
            started = self.today - dt.timedelta(days=rng.randint(60, 3600))
            if rng.random() < 0.06:
                # Came from another unit: the earlier placement ended the day before.
                other = rng.choice(self.units)
                self.assignments.append(StaffAssignment(
                    person=person, organisation=other.org, kind=kind, post=other.post or "科员",
                    started_on=started - dt.timedelta(days=rng.randint(400, 3000)),
                    ended_on=started - dt.timedelta(days=1), end_reason="工作调动"))
            self.assignments.append(StaffAssignment(person=person, organisation=unit.org, kind=kind, post=title,
                                                    is_leadership=is_leader, started_on=started))
            person.post = title  # type: ignore[attr-defined]
            person.staff_kind = kind  # type: ignore[attr-defined]
            person.is_leader = is_leader  # type: ignore[attr-defined]

    def build_staff(self) -> None:
        rng = self.rng
        for unit in self.units:
            if unit.org.kind == "county_department":
                staff_post = "一级科员"
                self._fill(unit, "administrative", unit.approved, unit.leadership, post=staff_post)
                inst = unit.institution_approved  # type: ignore[attr-defined]
                if inst:
                    self._fill(unit, "institution", inst, 0, post="专业技术人员")
                if unit.approved >= 10:
                    self._fill(unit, "support", rng.randint(1, 3), 0, post="驾驶员")
            else:
                self._fill(unit, unit.main_kind, unit.approved, unit.leadership, post=unit.post)
                if unit.org.kind == "township":
                    self._fill(unit, "support", rng.randint(1, 3), 0, post="工勤人员")

    def _certify(self, person: Person, domains: tuple[str, ...], *, valid: bool = False) -> None:
        rng, today = self.rng, self.today
        r = 1.0 if valid else rng.random()
        if r < 0.12:
            expires = today - dt.timedelta(days=rng.randint(1, 300))
        elif r < 0.25:
            expires = today + dt.timedelta(days=rng.randint(1, 89))
        else:
            expires = today + dt.timedelta(days=rng.randint(120, 1700))
        issued = expires - dt.timedelta(days=5 * 365 + 1)
        number = f"{N.PROVINCE_ABBR}执字{N.COUNTY_CODE}{len(self.certificates) + 1:04d}"
        self.certificates.append((Certificate(holder=person, number=number, issued_on=issued, expires_on=expires,
                                              issuer="浙江省人民政府"), domains))

    def build_certificates(self) -> None:
        rng = self.rng
        for unit in self.units:
            if not unit.enforcement_share:
                continue
            eligible = [p for p in unit.staff if p.staff_kind != "support"]  # type: ignore[attr-defined]
            squad = unit.org.code.endswith("-ZFD")
            for i, person in enumerate(eligible):
                # The first two of every township squad are certified and valid: a case needs two officers.
                must = squad and i < 2
                if not must and rng.random() >= unit.enforcement_share:
                    continue
                if squad:
                    extra = rng.sample(N.SQUAD_EXTRA_DOMAINS, rng.randint(1, 2))
                    domains = ("ZHZF", *sorted(extra))
                else:
                    domains = unit.cert_domains
                self._certify(person, domains, valid=must)
                if unit.township is not None:
                    self.memberships.append(Membership(person=person, organisation=unit.org, role="officer",
                                                       division=unit.township, title=person.post))  # type: ignore[attr-defined]

    def build_field_staff(self) -> None:
        """A grid worker per grid and a proxy agent per village (not on establishment)."""
        self.grid_worker_of: dict[str, Person] = {}
        self.proxy_agent_of: dict[str, Person] = {}
        for t, units in zip(self.townships, self.township_units, strict=True):
            gov, centre = units["ZF"].org, units["BMFW"].org
            for g in self.grids_of[t.code]:
                p = self.people.person(min_age=25, max_age=55)
                self.persons.append(p)
                self.grid_worker_of[g.code] = p
                self.memberships.append(Membership(person=p, organisation=gov, role="grid_worker", division=g,
                                                   title="专职网格员"))
            for v in self.villages_of[t.code]:
                p = self.people.person(min_age=25, max_age=60)
                self.persons.append(p)
                self.proxy_agent_of[v.code] = p
                self.memberships.append(Membership(person=p, organisation=centre, role="proxy_agent", division=v,
                                                   title="代办员"))

    # Accounts --------------------------------------------------------------------------
    def _account(self, username: str, role: str, person: Person, org: Organisation | None,
                 division: Division | None, *, membership_division: Division | None = None,
                 add_membership: bool = True, title: str = "") -> None:
        if org is not None and add_membership:
            self.memberships.append(Membership(person=person, organisation=org, role=role,
                                               division=membership_division or division, title=title))
        self.accounts.append(AccountSpec(username=username, role=role, person=person, organisation=org,
                                         division=division))

    def _pick_staff(self, unit: Unit) -> Person:
        """A non-leading staff member of the unit (or its head when the unit is all leaders)."""
        plain = [p for p in unit.staff if not p.is_leader]  # type: ignore[attr-defined]
        pool = plain or unit.staff
        if not pool:
            p = self.people.person()
            self.persons.append(p)
            unit.staff.append(p)
            p.post = unit.post or "工作人员"  # type: ignore[attr-defined]
            p.is_leader = False  # type: ignore[attr-defined]
            return p
        return self.rng.choice(pool)

    def build_accounts(self) -> None:
        cu = self.county_units
        p = self._pick_staff(cu["BB"])
        self._account("bianban", "establishment_office", p, cu["BB"].org, None, title=p.post)  # type: ignore[attr-defined]
        p = self._pick_staff(cu["ZHZX"])
        self._account("zhihui", "leader", p, cu["ZHZX"].org, None, title=p.post)  # type: ignore[attr-defined]
        # The 12345 hotline's operator: takes calls and makes the callbacks, in the command centre.
        p = self._pick_staff(cu["ZHZX"])
        self._account("hotline", "hotline", p, cu["ZHZX"].org, None, title="热线话务员")
        p = self._pick_staff(cu["DCS"])
        self._account("ducha", "supervision", p, cu["DCS"].org, None, title=p.post)  # type: ignore[attr-defined]
        p = self._pick_staff(cu["JWJW"])
        self._account("jiwei", "supervision", p, cu["JWJW"].org, None, title=p.post)  # type: ignore[attr-defined]
        special = {"BB", "ZHZX", "DCS", "JWJW"}
        for abbr, unit in cu.items():
            if abbr in special:
                continue
            p = self._pick_staff(unit)
            self._account(f"dept-{abbr.lower()}", "department", p, unit.org, None, title=p.post)  # type: ignore[attr-defined]
        # A stationed agency (the "x" of 1+x+y): the first township's market regulation office.
        station = self.township_units[0]["SJS"]
        p = self._pick_staff(station)
        self._account(f"station-{self.township_pinyin[self.townships[0].code]}", "department", p, station.org, None,
                      title=p.post)  # type: ignore[attr-defined]
        certified = {id(c.holder) for c, _ in self.certificates if c.expires_on > self.today + dt.timedelta(days=90)}
        for t, units in zip(self.townships, self.township_units, strict=True):
            py = self.township_pinyin[t.code]
            gov = units["ZF"]
            p = self._pick_staff(gov)
            self._account(f"town-{py}", "township", p, gov.org, t, title=p.post)  # type: ignore[attr-defined]
            squad = units["ZFD"]
            officer = next(p for p in squad.staff if id(p) in certified)
            self._account(f"officer-{py}", "officer", officer, squad.org, None, add_membership=False)
            grid = self.grids_of[t.code][0]
            self._account(f"grid-{py}", "grid_worker", self.grid_worker_of[grid.code], gov.org, grid,
                          add_membership=False)
            village = self.villages_of[t.code][0]
            self._account(f"proxy-{py}", "proxy_agent", self.proxy_agent_of[village.code], units["BMFW"].org,
                          village, add_membership=False)
        for username in ("qunzhong", "cunmin"):
            p = self.people.person(min_age=20, max_age=70)
            self.persons.append(p)
            self._account(username, "citizen", p, None, None)

    # Lists --------------------------------------------------------------------------------
    def plan_lists(self) -> None:
        """Draw the list's random choices (step counts) now, so they never depend on the DB."""
        self.step_counts = {spec[0]: (len(M.STEPS[spec[2]]) - (1 if self.rng.random() < 0.3 else 0))
                            for spec in (*M.MATTERS, M.V2_ADDED)}

    def plan(self) -> None:
        self.build_divisions()
        self.build_organisations()
        self.build_staff()
        self.build_certificates()
        self.build_field_staff()
        self.build_accounts()
        self.plan_lists()

    # Writing ------------------------------------------------------------------------------
    def write(self, password: str) -> tuple[ListRelease, ListRelease]:
        self.county.save()
        Division.objects.bulk_create(self.townships)
        Division.objects.bulk_create(self.villages, batch_size=500)
        Division.objects.bulk_create(self.grids, batch_size=500)
        roots = [u.org for u in self.units if u.org.parent is None]
        Organisation.objects.bulk_create(roots)
        Organisation.objects.bulk_create([u.org for u in self.units if u.org.parent is not None], batch_size=500)
        User = get_user_model()
        pw = hash_password(password)
        users = [User(username=a.username, password=pw, is_active=True) for a in self.accounts]
        User.objects.bulk_create(users)
        for account, user in zip(self.accounts, users, strict=True):
            account.person.user = user
        # The county grants the unmasked export to named accounts (core.personal); the demo's establishment office
        # holds it, so the export and its audit can be tried.
        from django.contrib.auth.models import Permission

        app_label, codename = EXPORT_UNMASKED_PERMISSION.split(".")
        export_unmasked = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        User.user_permissions.through.objects.bulk_create([
            User.user_permissions.through(user_id=u.pk, permission_id=export_unmasked.pk)
            for a, u in zip(self.accounts, users, strict=True) if a.username == "bianban"])
        Person.objects.bulk_create(self.persons, batch_size=1000)
        Membership.objects.bulk_create(self.memberships, batch_size=1000)
        EstablishmentQuota.objects.bulk_create(self.quotas, batch_size=1000)
        StaffAssignment.objects.bulk_create(self.assignments, batch_size=1000)
        self.domains = {code: Domain(code=code, name=name, order=i + 1) for i, (code, name) in enumerate(M.DOMAINS)}
        Domain.objects.bulk_create(list(self.domains.values()))
        Certificate.objects.bulk_create([c for c, _ in self.certificates], batch_size=1000)
        Through = Certificate.domains.through
        Through.objects.bulk_create([Through(certificate_id=c.pk, domain_id=self.domains[d].pk)
                                     for c, ds in self.certificates for d in ds], batch_size=1000)
        return self.write_lists(users[0])

    def _body(self, token: str) -> Organisation | None:
        """A county department, or None for M.TOWN: the territorial role 属地乡镇（街道）, which each whistle or case
        resolves to the government of its own township."""
        return None if token == M.TOWN else self.departments[token]

    @staticmethod
    def _kind_and_org(org: Organisation | None) -> dict[str, Any]:
        if org is None:
            return {"body_kind": BodyKind.TERRITORIAL_TOWNSHIP, "organisation": None}
        return {"body_kind": BodyKind.ORGANISATION, "organisation": org}

    @staticmethod
    def _short(org: Organisation | None) -> str:
        return TERRITORIAL_TOWNSHIP_LABEL if org is None else (org.short_name or org.name)

    def _matter_rows(self, release: ListRelease, specs: list[tuple], codes: dict[str, str],
                     overrides: dict[str, tuple[str, tuple[str, ...]]] | None = None):
        matters, assignments, steps = [], [], []
        for spec in specs:
            name, domain, kind, primary, coordinating, basis, keywords = spec
            if overrides and name in overrides:
                primary, coordinating = overrides[name]
            primary_org = self._body(primary)
            coordinators = [self._body(c) for c in coordinating]
            description = f"{self._short(primary_org)}牵头，" + (
                "、".join(self._short(o) for o in coordinators) + "配合。" if coordinators else "独立承担。")
            m = Matter(release=release, code=codes[name], name=name, domain=self.domains[domain], kind=kind,
                       legal_basis=basis, description=description, keywords=keywords)
            matters.append(m)
            assignments.append(Assignment(matter=m, role="primary", duty=M.PRIMARY_DUTY[kind].format(name=name),
                                          **self._kind_and_org(primary_org)))
            for token, org in zip(coordinating, coordinators, strict=True):
                duty = M.TOWN_COORDINATING_DUTY[kind] if token == M.TOWN else M.DEPARTMENT_COORDINATING_DUTY
                assignments.append(Assignment(matter=m, role="coordinating", duty=duty, **self._kind_and_org(org)))
            for order, (action, who, days) in enumerate(M.STEPS[kind][: self.step_counts[name]], start=1):
                org = coordinators[0] if who == "coordinator" and coordinators else primary_org
                steps.append(ProcessStep(matter=m, order=order, action=action, time_limit_days=days,
                                         **self._kind_and_org(org)))
        Matter.objects.bulk_create(matters)
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        ProcessStep.objects.bulk_create(steps, batch_size=1000)

    def write_lists(self, publisher) -> tuple[ListRelease, ListRelease]:
        codes: dict[str, str] = {}
        per_domain: dict[str, int] = {}
        for spec in (*M.MATTERS, M.V2_ADDED):
            per_domain[spec[1]] = per_domain.get(spec[1], 0) + 1
            codes[spec[0]] = f"{spec[1]}-{per_domain[spec[1]]:03d}"
        v1 = ListRelease.objects.create(
            kind="responsibility", number=1, status="published", effective_from=V1_EFFECTIVE,
            title=f"{N.COUNTY_NAME}乡镇（街道）履行职责事项清单（2026年版）",
            notes="经县委编委会审议通过，自2026年1月1日起施行。", created_at=V1_CREATED, published_at=V1_PUBLISHED,
            published_by=publisher)
        self._matter_rows(v1, list(M.MATTERS), codes)
        v2 = ListRelease.objects.create(
            kind="responsibility", number=2, status="draft", effective_from=V2_EFFECTIVE, based_on=v1,
            title=f"{N.COUNTY_NAME}乡镇（街道）履行职责事项清单（2026年修订版）",
            notes=f"新增“{M.V2_ADDED[0]}”；删除“{M.V2_REMOVED}”；“{M.V2_REASSIGNED[0]}”改由县公安局牵头。",
            created_at=V2_CREATED)
        specs = [s for s in M.MATTERS if s[0] != M.V2_REMOVED] + [M.V2_ADDED]
        self._matter_rows(v2, specs, codes, {M.V2_REASSIGNED[0]: M.V2_REASSIGNED[1:]})
        return v1, v2


def load(*, seed: int, scale: Scale, password: str, force: bool = False,
         today: dt.date | None = None) -> DemoResult:
    """Load the demo county into an empty registry (or wipe it first with force=True)."""
    today = today or timezone.localdate()
    builder = Builder(seed=seed, scale=scale, today=today)
    builder.plan()
    with transaction.atomic():
        if not registry_is_empty():
            if not force:
                raise RegistryNotEmpty()
            wipe()
        release, draft = builder.write(password)
        county = builder.county
        for dotted in EXTENSIONS:
            loader = _import_extension(dotted)
            if loader is not None:
                loader(rng=random.Random(f"{seed}/{dotted}"), county=county, scale=scale, release=release)
        counts = {
            "townships": len(builder.townships), "villages": len(builder.villages), "grids": len(builder.grids),
            "organisations": len(builder.units), "people": len(builder.persons),
            "staff_assignments": len(builder.assignments), "certificates": len(builder.certificates),
            "matters": Matter.objects.filter(release=release).count(), "accounts": len(builder.accounts),
        }
        accounts = [a.as_dict(password) for a in builder.accounts]
        audit.log(actor=None, action="demo.load", obj=county,
                  after={"seed": seed, "scale": scale.name, "forced": force, "counts": counts,
                         "accounts": [{k: v for k, v in a.items() if k != "password"} for a in accounts]})
    path = write_accounts_file(accounts)
    return DemoResult(county=county, release=release, draft=draft, accounts=accounts, accounts_path=path,
                      counts=counts)


def _import_extension(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Skip only when the extension's own module (or its package) is missing, not a broken import inside it.
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise
    return getattr(module, attr)
