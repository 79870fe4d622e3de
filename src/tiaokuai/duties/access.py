"""Who may read and write the lists. Missing and forbidden look the same (NotFound)."""

from typing import Any

from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer, viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.org.access import is_staff

from .choices import ReleaseStatus
from .models import ListRelease, Matter


def may_edit_lists(viewer: Viewer) -> bool:
    """Only the establishment office (编办) keeps the lists."""
    return viewer.can_edit_registry


def may_read_internal_lists(viewer: Viewer) -> bool:
    """The working pages of the lists (in force by date, the versions with their draft, import and publish forms,
    comparisons, a matter's page with its history) are for staff; a citizen is sent to the public list
    (duties:public, open to everyone). The published text itself is public, so the API still serves a published
    version to any signed-in user (may_see_release)."""
    return is_staff(viewer)


def require_list_editor(user: Any) -> Viewer:
    viewer = viewer_for(user)
    if not may_edit_lists(viewer):
        raise NotFound(_("Not found."))
    return viewer


def may_see_release(viewer: Viewer, release: ListRelease) -> bool:
    if release.status == ReleaseStatus.PUBLISHED:  # a published version is public (the API serves it to anyone signed in)
        return viewer.is_authenticated
    return may_edit_lists(viewer)


def access_release(user: Any, release_id: Any, action: str = "view") -> ListRelease:
    """The release if the user may do `action` ("view" or "edit") on it; NotFound otherwise."""
    viewer = viewer_for(user)
    pk = _int_or_none(release_id)
    release = ListRelease.objects.filter(pk=pk).first() if pk is not None else None
    if release is None or not may_see_release(viewer, release):
        raise NotFound(_("Not found."))
    if action != "view" and not may_edit_lists(viewer):
        raise NotFound(_("Not found."))
    return release


def access_matter(user: Any, matter_id: Any, action: str = "view") -> Matter:
    viewer = viewer_for(user)
    pk = _int_or_none(matter_id)
    matter = Matter.objects.select_related("release", "domain").filter(pk=pk).first() if pk is not None else None
    if matter is None or not may_see_release(viewer, matter.release):
        raise NotFound(_("Not found."))
    if action != "view" and not may_edit_lists(viewer):
        raise NotFound(_("Not found."))
    return matter


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
