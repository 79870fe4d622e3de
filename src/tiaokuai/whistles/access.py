"""Who may do what with whistles. Missing and forbidden look the same (NotFound)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer, viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.org.choices import Role

from .models import Dispatch, Dispute, Whistle


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_office(viewer: Viewer) -> bool:
    return viewer.is_superuser or Role.ESTABLISHMENT_OFFICE in viewer.roles


def is_township_staff(viewer: Viewer) -> bool:
    return Role.TOWNSHIP in viewer.roles and bool(viewer.township_ids)


def is_department_staff(viewer: Viewer) -> bool:
    return bool(viewer.roles & {Role.DEPARTMENT, Role.OFFICER}) and bool(viewer.organisation_ids)


def scope_whistles(viewer: Viewer, qs: QuerySet[Whistle]) -> QuerySet[Whistle]:
    """Whistles the viewer may see: county-wide roles all; townships their own; departments those
    that called them (any dispatch, withdrawn ones too)."""
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.county_wide:
        return qs
    cond = Q(pk__in=[])
    if viewer.township_ids and viewer.roles & {Role.TOWNSHIP, Role.GRID_WORKER, Role.OFFICER}:
        cond |= Q(township_id__in=viewer.township_ids)
    if viewer.organisation_ids and viewer.roles & {Role.DEPARTMENT, Role.OFFICER}:
        cond |= Q(Exists(Dispatch.objects.filter(whistle=OuterRef("pk"),
                                                 organisation_id__in=viewer.organisation_ids)))
    return qs.filter(cond)


def may_see_whistle(viewer: Viewer, whistle: Whistle, org_ids: set[int] | None = None) -> bool:
    if not viewer.is_authenticated:
        return False
    if viewer.county_wide:
        return True
    if whistle.township_id in viewer.township_ids and viewer.roles & {Role.TOWNSHIP, Role.GRID_WORKER, Role.OFFICER}:
        return True
    if org_ids is None:
        org_ids = set(Dispatch.objects.filter(whistle=whistle).values_list("organisation_id", flat=True))
    return bool(org_ids & set(viewer.organisation_ids)) and bool(viewer.roles & {Role.DEPARTMENT, Role.OFFICER})


def _not_found() -> NotFound:
    return NotFound(_("Whistle not found."))


def access_whistle(user: Any, whistle_id: Any, action: str = "view") -> Whistle:
    """The whistle if the user may do `action` ("view" | "township" (raising township's staff) | "office")."""
    viewer = viewer_for(user)
    pk = _int(whistle_id)
    if pk is None or not viewer.is_authenticated:
        raise _not_found()
    whistle = Whistle.objects.select_related("item", "township", "village").filter(pk=pk).first()
    if whistle is None:
        raise _not_found()
    if action == "township":
        ok = Role.TOWNSHIP in viewer.roles and whistle.township_id in viewer.township_ids
    elif action == "office":
        ok = is_office(viewer)
    else:
        ok = may_see_whistle(viewer, whistle)
    if not ok:
        raise _not_found()
    return whistle


def access_dispatch(user: Any, dispatch_id: Any, action: str = "act") -> Dispatch:
    """A dispatch the user's department may act on ("act"), or see ("view")."""
    viewer = viewer_for(user)
    pk = _int(dispatch_id)
    if pk is None or not viewer.is_authenticated:
        raise NotFound(_("Dispatch not found."))
    dispatch = Dispatch.objects.select_related("whistle", "organisation").filter(pk=pk).first()
    if dispatch is None:
        raise NotFound(_("Dispatch not found."))
    if action == "act":
        ok = is_department_staff(viewer) and dispatch.organisation_id in viewer.organisation_ids
    else:
        ok = may_see_whistle(viewer, dispatch.whistle)
    if not ok:
        raise NotFound(_("Dispatch not found."))
    return dispatch


def access_dispute(user: Any, dispute_id: Any) -> Dispute:
    viewer = viewer_for(user)
    pk = _int(dispute_id)
    if pk is None or not is_office(viewer):
        raise NotFound(_("Dispute not found."))
    dispute = Dispute.objects.select_related("dispatch", "dispatch__whistle", "dispatch__organisation").filter(
        pk=pk).first()
    if dispute is None:
        raise NotFound(_("Dispute not found."))
    return dispute
