"""Small helpers for the registry tests."""

import datetime as dt

from tiaokuai.core.models import AuditEvent
from tiaokuai.org.models import (
    Certificate,
    Division,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)


def counts() -> dict[str, int]:
    """Row counts of everything a registry write may touch (to assert refusals change nothing)."""
    return {
        "divisions": Division.objects.count(),
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "quotas": EstablishmentQuota.objects.count(),
        "assignments": StaffAssignment.objects.count(),
        "current_assignments": StaffAssignment.objects.filter(ended_on__isnull=True).count(),
        "certificates": Certificate.objects.count(),
        "revoked": Certificate.objects.filter(revoked_on__isnull=False).count(),
        "audit": AuditEvent.objects.count(),
    }


def person(name: str = "孙编制", id_number: str = "") -> Person:
    return Person.objects.create(name=name, id_number=id_number)


def staff(org: Organisation, n: int, kind: str = "administrative", *, leadership: int = 0) -> list[StaffAssignment]:
    rows = []
    for i in range(n):
        p = Person.objects.create(name=f"{org.code}人员{i}")
        rows.append(StaffAssignment.objects.create(person=p, organisation=org, kind=kind, post="科员",
                                                   is_leadership=i < leadership, started_on=dt.date(2025, 1, 1)))
    return rows


def quota(org: Organisation, approved: int, kind: str = "administrative", leadership: int = 0) -> EstablishmentQuota:
    return EstablishmentQuota.objects.create(organisation=org, kind=kind, approved=approved,
                                             leadership_posts=leadership)
