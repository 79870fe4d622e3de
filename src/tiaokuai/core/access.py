"""Who the viewer is and what they may see. Selectors scope querysets with this; services check it.

Missing and forbidden look the same: callers raise NotFound for both.

The kernel knows no roles and no organisations: the app that owns them (org) configures this module in its
AppConfig.ready() — how a user's viewer is computed and which roles see the whole county or edit the
registry (``configure``)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AccessPolicy:
    """Filled by the registry app: the resolver that computes a user's viewer, and the role sets the
    Viewer's properties read."""

    resolver: Callable[[Any], "Viewer"] | None = None
    county_wide_roles: frozenset[str] = frozenset()
    registry_editor_roles: frozenset[str] = frozenset()


_POLICY = AccessPolicy()


def configure(*, resolver: Callable[[Any], "Viewer"], county_wide_roles: Any = (),
              registry_editor_roles: Any = ()) -> None:
    global _POLICY
    _POLICY = AccessPolicy(resolver, frozenset(county_wide_roles), frozenset(registry_editor_roles))
    clear_viewer_cache()


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()  # own units and units under them
    township_ids: frozenset[int] = frozenset()  # township divisions the viewer works in
    division_ids: frozenset[int] = frozenset()  # villages/grids served (grid workers, proxy agents)
    township_body_ids: frozenset[int] = frozenset()  # township staff: their townships' government and offices
    is_superuser: bool = False
    person_id: int | None = None
    primary_organisation_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def county_wide(self) -> bool:
        return self.is_superuser or bool(self.roles & _POLICY.county_wide_roles)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles & set(roles))

    @property
    def can_edit_registry(self) -> bool:
        return self.is_superuser or bool(self.roles & _POLICY.registry_editor_roles)

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
    if _POLICY.resolver is None:  # no registry app installed: a user with no roles
        return Viewer(user_id=user.pk, is_superuser=bool(user.is_superuser))
    return _POLICY.resolver(user)
