"""What the registry puts on the workbench (工作台): enforcement certificates expiring within 90 days or expired
and not renewed — for the establishment office (every one it may see) and for an officer (their own).
Registered in OrgConfig.ready() (tiaokuai.core.registry)."""

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import TodoGroup, TodoItem

from . import selectors
from .choices import CertificateState, Role


def todo(viewer: Viewer, limit: int) -> list[TodoGroup]:
    if not viewer.is_authenticated or not (viewer.can_edit_registry or viewer.has_role(Role.OFFICER)):
        return []
    qs = selectors.certificates(viewer, state=CertificateState.EXPIRING).select_related("holder")
    if not viewer.can_edit_registry:
        qs = qs.filter(holder__user_id=viewer.user_id)
    total = qs.count()
    if not total:
        return []
    today = timezone.localdate()
    items = []
    for c in qs[:limit]:
        days = (c.expires_on - today).days
        items.append(TodoItem(
            kind=_("Certificate expiring"), title=f"{c.holder.name} · {c.number}",
            url=reverse("org:certificate_renew", args=[c.pk]) if viewer.can_edit_registry
            else reverse("org:certificates") + "?" + urlencode({"q": c.number}),
            action=_("Renew") if viewer.can_edit_registry else _("Open"),
            due=timezone.make_aware(dt.datetime.combine(c.expires_on, dt.time.min)),
            due_label=_("expires %(date)s, in %(days)s days") % {"date": c.expires_on.isoformat(), "days": days},
            css="status-due-soon"))
    url = reverse("org:certificates") + "?" + urlencode({"state": CertificateState.EXPIRING})
    return [TodoGroup(_("Certificates to renew"), total, url, 0, tuple(items))]
