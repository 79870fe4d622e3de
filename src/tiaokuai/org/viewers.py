"""How a user's Viewer (tiaokuai.core.access) is computed from their memberships; org configures
core.access with this in OrgConfig.ready()."""

from typing import Any

from django.db import connection

from tiaokuai.core.access import Viewer

from .choices import TOWNSHIP_BODY_KINDS, Role
from .models import Membership, Organisation


def compute_viewer(user: Any) -> Viewer:
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
    # What township staff handle, read once here (the viewer is cached): scopes then probe a dispatch's
    # organisation against a list of ids, not against a subquery per row.
    bodies = (frozenset(Organisation.objects.filter(kind__in=TOWNSHIP_BODY_KINDS, division_id__in=township_ids)
                        .values_list("pk", flat=True)) if Role.TOWNSHIP in roles and township_ids else frozenset())
    primary = memberships[0] if memberships else None
    return Viewer(
        user_id=user.pk,
        roles=frozenset(roles),
        organisation_ids=frozenset(org_ids),
        township_ids=frozenset(township_ids),
        division_ids=frozenset(division_ids),
        township_body_ids=bodies,
        is_superuser=bool(user.is_superuser),
        person_id=primary[6] if primary else None,
        primary_organisation_id=primary[1] if primary else None,
    )


def organisation_descendants(org_ids: set[int]) -> set[int]:
    """Every unit below these units, at any depth — one recursive query (SQLite and PostgreSQL both have
    WITH RECURSIVE; UNION stops on a cycle)."""
    if not org_ids:
        return set()
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
