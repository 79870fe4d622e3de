"""Reads of the lists. "Which body was primary for matter M on date D?" is one query."""

from datetime import date
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer

from .choices import DutyRole, ListKind, ReleaseStatus
from .models import Assignment, ListRelease, Matter


def releases_in_force_subquery(kind: str, on: date) -> Subquery:
    return Subquery(
        ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .values("pk")[:1]
    )


def release_in_force(kind: str, on: date) -> ListRelease | None:
    return (
        ListRelease.objects.filter(kind=kind, status=ReleaseStatus.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def assignments_in_force(matter_code: str, on: date, *, kind: str = ListKind.RESPONSIBILITY) -> QuerySet[Assignment]:
    """The bodies responsible for a matter on a date, from the version in force that day."""
    return (
        Assignment.objects.filter(matter__code=matter_code, matter__release=releases_in_force_subquery(kind, on))
        .select_related("organisation", "matter", "matter__release")
        .order_by("-role", "organisation__code")
    )


def primary_body_on(matter_code: str, on: date) -> Assignment | None:
    return assignments_in_force(matter_code, on).filter(role=DutyRole.PRIMARY).first()


def matters_of(release: ListRelease) -> QuerySet[Matter]:
    return release.matters.select_related("domain").prefetch_related("assignments__organisation", "steps")


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    from django.utils import timezone

    release = release_in_force(ListKind.RESPONSIBILITY, timezone.localdate())
    if release is None or not viewer.is_authenticated:
        return []
    return [{"label": _("Matters in the list in force"), "value": release.matters.count(), "url_name": "duties:in_force"}]


def visible_releases(viewer: Viewer, kind: str = ListKind.RESPONSIBILITY) -> QuerySet[ListRelease]:
    qs = ListRelease.objects.filter(kind=kind)
    if not viewer.can_edit_registry:
        qs = qs.filter(status=ReleaseStatus.PUBLISHED)
    return qs.order_by("-number")
