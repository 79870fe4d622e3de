"""Who the viewer is and what they may see. Selectors scope querysets with this; services check it.

Missing and forbidden look the same: callers raise NotFound for both."""

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


def viewer_for(user: Any) -> Viewer:
    """The viewer for a user, computed once per user object (per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tiaokuai_viewer", None)
    if cached is not None:
        return cached
    from tiaokuai.org.models import Membership, Organisation

    memberships = list(
        Membership.objects.filter(person__user=user).select_related("organisation", "division", "person")
    )
    roles = {m.role for m in memberships}
    org_ids = {m.organisation_id for m in memberships}
    township_ids: set[int] = set()
    division_ids: set[int] = set()
    for m in memberships:
        if m.role in (Role.TOWNSHIP, Role.GRID_WORKER, Role.PROXY_AGENT, Role.OFFICER):
            township = m.organisation.division if m.organisation.kind == "township" else None
            if m.division is not None:
                division_ids.add(m.division.id)
                township_ids.add(m.division.township_id or m.division.id)
            elif township is not None:
                township_ids.add(township.pk)
    # Units under the viewer's own units (a department's stationed agencies, a township's offices).
    frontier = set(org_ids)
    while frontier:
        children = set(Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - org_ids
        org_ids |= children
        frontier = children
    primary = memberships[0] if memberships else None
    viewer = Viewer(
        user_id=user.pk,
        roles=frozenset(roles),
        organisation_ids=frozenset(org_ids),
        township_ids=frozenset(township_ids),
        division_ids=frozenset(division_ids),
        is_superuser=bool(user.is_superuser),
        person_id=primary.person_id if primary else None,
        primary_organisation_id=primary.organisation_id if primary else None,
    )
    user._tiaokuai_viewer = viewer
    return viewer
