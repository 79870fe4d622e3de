"""Routing a whistle: item → matter → bodies under the list versions in force (cached), 属地 resolved."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tiaokuai.core.memo import Memo
from tiaokuai.duties.choices import TERRITORIAL_TOWNSHIP_LABEL, BodyKind, DutyRole, ListKind, ReleaseStatus
from tiaokuai.duties.models import Assignment, ListRelease
from tiaokuai.duties.selectors import township_government
from tiaokuai.org.choices import OrganisationKind
from tiaokuai.org.models import Organisation

from ..choices import (
    DispatchRole,
    Urgency,
)
from ..models import (
    WhistleItem,
)
from . import counts

# ---------------------------------------------------------------- routing (item → matter → bodies)


@dataclass(frozen=True)
class Body:
    organisation_id: int
    code: str
    kind: str
    division_id: int
    role: str  # DutyRole
    name: str = ""
    territorial: bool = False  # the role 属地乡镇（街道）: no organisation until resolved for a township
    above: tuple[int, ...] = ()  # the units above the organisation (the board's counts, services.counts)


def territorial_body(role: str) -> Body:
    """The list's territorial role, unresolved (organisation 0): resolve_body() names the organisation."""
    return Body(0, "", OrganisationKind.TOWNSHIP, 0, role, TERRITORIAL_TOWNSHIP_LABEL, territorial=True)


def resolve_body(body: Body, township_id: int) -> Body | None:
    """The body as it stands for a whistle in `township_id`: a named organisation is itself; the territorial role
    is the government of that township (duties.selectors.township_government; None when it has none)."""
    if not body.territorial:
        return body
    gov = _cached(("township-government", township_id), lambda: _with_above(township_government(township_id)))
    if gov is None:
        return None
    org, above = gov
    return Body(org.pk, org.code, org.kind, org.division_id, body.role, org.name, above=above)


def _with_above(org: Organisation | None) -> tuple[Organisation, tuple[int, ...]] | None:
    if org is None:
        return None
    return org, (counts.ancestors([org.pk]).get(org.pk, ()) if org.parent_id else ())


@dataclass(frozen=True)
class Route:
    item_id: int
    code: str
    name: str
    matter_code: str
    minutes: Mapping[str, tuple[int, int, int]]
    bodies: tuple[Body, ...]  # primary first


_ROUTE_CACHE: dict[tuple[int | None, int | None], dict[str, Route]] = {}


_MEMO = Memo("WHISTLE_CACHE_SECONDS", max_entries=1000)


def _cached(key: tuple, compute: Any) -> Any:
    """A few seconds of in-process memory for hot, rarely changing reads on the raise path (core.memo)."""
    return _MEMO.get(key, compute)


def releases_in_force(on: dt.date) -> tuple[int | None, int | None]:
    """(whistle list release id, responsibility list release id) in force on a date — one query (cached for a
    few seconds: a version published to take effect today is used at most WHISTLE_CACHE_SECONDS later)."""
    return _cached(("releases", on), lambda: _releases_in_force(on))


def _releases_in_force(on: dt.date) -> tuple[int | None, int | None]:
    rows = ListRelease.objects.filter(
        kind__in=[ListKind.WHISTLE, ListKind.RESPONSIBILITY], status=ReleaseStatus.PUBLISHED, effective_from__lte=on
    ).order_by("effective_from").values_list("kind", "pk")
    found: dict[str, int] = {}
    for kind, pk in rows:
        found[kind] = pk
    return found.get(ListKind.WHISTLE), found.get(ListKind.RESPONSIBILITY)


def routes_for(item_release_id: int | None, resp_release_id: int | None) -> dict[str, Route]:
    """item code → Route for a pair of published (frozen, never-changing) releases; cached in-process,
    the cache key is the version check."""
    key = (item_release_id, resp_release_id)
    hit = _ROUTE_CACHE.get(key)
    if hit is not None:
        return hit
    items = list(WhistleItem.objects.filter(release_id=item_release_id)) if item_release_id else []
    bodies: dict[str, list[Body]] = {}
    if resp_release_id:
        codes = {i.matter_code for i in items if i.matter_code}
        rows = list(Assignment.objects.filter(matter__release_id=resp_release_id, matter__code__in=codes)
                  .values("matter__code", "role", "body_kind", "organisation_id", "organisation__code",
                          "organisation__kind", "organisation__division_id", "organisation__is_active",
                          "organisation__name", "organisation__parent_id")
                    .order_by("matter__code", "-role", "body_kind", "organisation__code"))
        above = counts.ancestors(a["organisation_id"] for a in rows if a["organisation__parent_id"])
        for a in rows:
            if a["body_kind"] == BodyKind.TERRITORIAL_TOWNSHIP:
                bodies.setdefault(a["matter__code"], []).append(territorial_body(a["role"]))
                continue
            if not a["organisation__is_active"]:
                continue
            bodies.setdefault(a["matter__code"], []).append(Body(
                a["organisation_id"], a["organisation__code"], a["organisation__kind"],
                a["organisation__division_id"], a["role"], a["organisation__name"],
                above=above.get(a["organisation_id"], ())))
    routes = {
        i.code: Route(i.pk, i.code, i.name, i.matter_code,
                      {u: i.minutes(u) for u in Urgency.values},
                      tuple(sorted(bodies.get(i.matter_code, []), key=lambda b: b.role != DutyRole.PRIMARY)))
        for i in items
    }
    if len(_ROUTE_CACHE) > 32:
        _ROUTE_CACHE.clear()
    _ROUTE_CACHE[key] = routes
    return routes


def clear_route_cache() -> None:
    _ROUTE_CACHE.clear()
    _MEMO.clear()


def _own_township(body: Body, township_id: int) -> bool:
    return body.kind in (OrganisationKind.TOWNSHIP, OrganisationKind.TOWNSHIP_OFFICE) and body.division_id == township_id


def dispatch_plan(route: Route, township_id: int) -> list[tuple[Body, str]]:
    """(body, dispatch role) for a whistle raised in a township: the list's bodies, the territorial role
    属地乡镇（街道） resolved to that township's government. The primary body leads, coordinating bodies assist; the
    whistle's own township is never called (it is the one whistling). When the list makes the township itself
    the primary body (属地 leads: its own matter), it still calls the other bodies the list names: the first of
    them leads, the rest assist. Empty when the matter has no primary body, or names nobody else to call."""
    bodies = [r for r in (resolve_body(b, township_id) for b in route.bodies) if r is not None]
    if not any(b.role == DutyRole.PRIMARY for b in bodies):
        return []
    called = [b for b in bodies if not _own_township(b, township_id)]  # primary first (routes_for sorts)
    return [(b, DispatchRole.LEAD if i == 0 else DispatchRole.ASSIST) for i, b in enumerate(called)]
