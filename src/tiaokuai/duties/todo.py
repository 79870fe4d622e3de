"""What the lists put on the workbench (工作台): drafts of a new list version waiting to be published, for those who
edit the registry (the establishment office). Registered in DutiesConfig.ready() (tiaokuai.core.registry)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import TodoGroup, TodoItem

from .choices import ReleaseStatus
from .models import ListRelease


def todo(viewer: Viewer, limit: int) -> list[TodoGroup]:
    if not viewer.is_authenticated or not viewer.can_edit_registry:
        return []
    drafts = list(ListRelease.objects.filter(status=ReleaseStatus.DRAFT).order_by("created_at", "id")[:limit])
    if not drafts:
        return []
    items = tuple(TodoItem(
        kind=_("Draft to publish"), title=f"{d} · {d.title}", url=reverse("duties:release", args=[d.pk]),
        action=_("Check and publish"), detail=d.get_kind_display(), due=d.created_at,
        due_label=_("started %(time)s") % {"time": timezone.localtime(d.created_at).strftime("%m-%d %H:%M")},
        css="status-muted") for d in drafts)
    return [TodoGroup(_("Drafts to publish"), len(drafts), reverse("duties:releases"), 0, items)]
