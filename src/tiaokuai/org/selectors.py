"""Reads of the organisation registry, scoped to what the viewer may see."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.errors import NotFound

from .choices import DivisionLevel, OrganisationKind
from .models import Division, Organisation


def visible_divisions(viewer: Viewer) -> QuerySet[Division]:
    """Geography is shared: every signed-in unit may see the county's divisions."""
    if not viewer.is_authenticated:
        return Division.objects.none()
    return Division.objects.select_related("parent")


def divisions(viewer: Viewer, *, level: str | None = None, within: str | None = None) -> QuerySet[Division]:
    qs = visible_divisions(viewer)
    if level:
        qs = qs.filter(level=level)
    if within:
        root = visible_divisions(viewer).filter(code=within).first()
        if root is None:
            raise NotFound(_("No such division."))
        if root.level == DivisionLevel.COUNTY:
            pass
        elif root.level == DivisionLevel.TOWNSHIP:
            qs = qs.filter(Q(township=root) | Q(pk=root.pk))
        elif root.level == DivisionLevel.VILLAGE:
            qs = qs.filter(Q(parent=root) | Q(pk=root.pk))
        else:
            qs = qs.filter(pk=root.pk)
    return qs.order_by("code")


def visible_organisations(viewer: Viewer) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("division", "parent")
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.county_wide:
        return qs
    return qs.filter(
        Q(pk__in=viewer.organisation_ids)
        | Q(division_id__in=viewer.township_ids)
        # Departments are public counterparts: everyone may see who they are.
        | Q(kind=OrganisationKind.COUNTY_DEPARTMENT)
    )


def organisation_detail(viewer: Viewer, code: str) -> Organisation:
    org = visible_organisations(viewer).filter(code=code).first()
    if org is None:
        raise NotFound(_("No such organisation."))
    return org


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    if not viewer.is_authenticated:
        return []
    return [
        {"label": _("Organisations"), "value": visible_organisations(viewer).count(), "url_name": "org:organisations"},
    ]
