"""Who the viewer is and what they may see. Selectors scope querysets with this; services check it.

Missing and forbidden look the same: callers raise NotFound for both."""

import time
from dataclasses import dataclass, field
from typing import Any

from tiaokuai.org.choices import COUNTY_WIDE_ROLES, Role


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()  # own units and units under them
    township_ids: frozenset[int] = frozenset()  # township divisions the viewer works in
    division_ids: frozenset[int] = frozenset()  # villages/grids served (grid workers, proxy agents)
    is_superuser: bool = False
    person_id: int | None = None
    primary_organisation_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def county_wide(self) -> bool:
        return self.is_superuser or bool(self.roles & COUNTY_WIDE_ROLES)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles & set(roles))

    @property
    def can_edit_registry(self) -> bool:
        return self.is_superuser or Role.ESTABLISHMENT_OFFICE in self.roles

    def may_see_organisation(self, organisation_id: int, organisation_township_id: int | None = None) -> bool:
        if self.county_wide or organisation_id in self.organisation_ids:
            return True
        return organisation_township_id is not None and organisation_township_id in self.township_ids


ANONYMOUS = Viewer(user_id=None)


# In-process cache of computed viewers: user id → (expires at, monotonic clock; viewer).
#
# Staleness bound: a change to a user's memberships, roles or organisation tree (or superuser flag) is seen by
# every worker process at most VIEWER_CACHE_SECONDS (default 30 s) later; clear_viewer_cache() drops this
# process's entries at once (other processes still wait out the TTL). Deactivation is not delayed: an
# inactive user is not authenticated, so viewer_for never reaches the cache for them. 0 disables the cache
# (the default under tests, whose rows roll back; a test may enable it with the `settings` fixture).
_VIEWERS: dict[int, tuple[float, Viewer]] = {}
_VIEWERS_MAX = 10_000


def viewer_cache_seconds() -> float:
    from django.conf import settings

    default = 0 if getattr(settings, "TESTING", False) else 30
    return float(settings.TIAOKUAI.get("VIEWER_CACHE_SECONDS", default))


def clear_viewer_cache(user_id: int | None = None) -> None:
    if user_id is None:
        _VIEWERS.clear()
    else:
        _VIEWERS.pop(user_id, None)


def viewer_for(user: Any) -> Viewer:
    """The viewer for a user: computed once per user object (per request), and cached in-process per user id
    for VIEWER_CACHE_SECONDS (see the staleness bound above)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tiaokuai_viewer", None)
    if cached is not None:
        return cached
    ttl = viewer_cache_seconds()
    now = time.monotonic()
    hit = _VIEWERS.get(user.pk) if ttl > 0 else None
    if hit is not None and hit[0] > now and hit[1].is_superuser == bool(user.is_superuser):
        viewer = hit[1]
    else:
        viewer = _compute_viewer(user)
        if ttl > 0:
            if len(_VIEWERS) >= _VIEWERS_MAX:
                _VIEWERS.clear()
            _VIEWERS[user.pk] = (now + ttl, viewer)
    user._tiaokuai_viewer = viewer
    return viewer


def _compute_viewer(user: Any) -> Viewer:
    from tiaokuai.org.models import Membership

    memberships = list(
        Membership.objects.filter(person__user=user).order_by("pk").values_list(
            "role", "organisation_id", "organisation__kind", "organisation__division_id", "division_id",
            "division__township_id", "person_id")
    )
    roles = {m[0] for m in memberships}
    org_ids = {m[1] for m in memberships}
    township_ids: set[int] = set()
    division_ids: set[int] = set()
    for role, _org, org_kind, org_division_id, division_id, division_township_id, _person in memberships:
        if role in (Role.TOWNSHIP, Role.GRID_WORKER, Role.PROXY_AGENT, Role.OFFICER):
            if division_id is not None:
                division_ids.add(division_id)
                township_ids.add(division_township_id or division_id)
            elif org_kind == "township" and org_division_id is not None:
                township_ids.add(org_division_id)
    # Units under the viewer's own units (a department's stationed agencies, a township's offices).
    org_ids |= organisation_descendants(org_ids)
    primary = memberships[0] if memberships else None
    return Viewer(
        user_id=user.pk,
        roles=frozenset(roles),
        organisation_ids=frozenset(org_ids),
        township_ids=frozenset(township_ids),
        division_ids=frozenset(division_ids),
        is_superuser=bool(user.is_superuser),
        person_id=primary[6] if primary else None,
        primary_organisation_id=primary[1] if primary else None,
    )


def organisation_descendants(org_ids: set[int]) -> set[int]:
    """Every unit below these units, at any depth — one recursive query (SQLite and PostgreSQL both have
    WITH RECURSIVE; UNION stops on a cycle)."""
    if not org_ids:
        return set()
    from django.db import connection

    from tiaokuai.org.models import Organisation

    table = connection.ops.quote_name(Organisation._meta.db_table)
    ids = sorted(org_ids)
    marks = ", ".join(["%s"] * len(ids))
    # Only the quoted table name and placeholders are interpolated.
    sql = (
        f"WITH RECURSIVE below(id) AS (SELECT id FROM {table} WHERE parent_id IN ({marks}) "  # noqa: S608
        f"UNION SELECT o.id FROM {table} o JOIN below b ON o.parent_id = b.id) SELECT id FROM below"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {row[0] for row in cursor.fetchall()} - org_ids
