"""What the whistle flow puts on a viewer's workbench (工作台): dispatches to accept, report on site and finish,
whistles to confirm and rate, whistles to route, disputes to decide, dispatches under supervision — and the
figures for the home page, each linking to the list filtered to them. Registered in WhistlesConfig.ready()
(tiaokuai.core.registry); reads only, through whistles.selectors (scoped to the viewer)."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.paging import window
from tiaokuai.core.registry import TodoGroup, TodoItem

from . import reports, selectors
from .choices import DispatchStatus, WhistleStatus

# What the handler does next, by dispatch status: (kind of work, button label).
NEXT_STEP = {
    DispatchStatus.DISPATCHED: (lambda: _("To accept"), lambda: _("Accept")),
    DispatchStatus.RESPONDED: (lambda: _("To report on site"), lambda: _("Report on site")),
    DispatchStatus.ARRIVED: (lambda: _("To finish"), lambda: _("Finish")),
}


def _url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _whistle_title(whistle) -> str:
    item = whistle.item.name if whistle.item_id else _("Not on the list")
    return f"{whistle.number} {item}"


def _place(whistle) -> str:
    return f"{whistle.township.name} · {whistle.village.name}"


def _waiting_label(since) -> str:
    if since is None:
        return ""
    return _("waiting since %(time)s") % {"time": timezone.localtime(since).strftime("%m-%d %H:%M")}


def _dispatch_items(rows, now, *, follow: bool = False) -> tuple[TodoItem, ...]:
    """Dispatches as to-do items: the handler's next step, or (follow) a dispatch under supervision to follow up."""
    items = []
    for d in rows:
        kind, action = NEXT_STEP.get(d.status, (lambda: _("Dispatch"), lambda: _("Open")))
        if follow:
            kind, action = (lambda: _("Under supervision")), (lambda: _("Follow up"))
        dl = reports.current_deadline(d, now)
        overdue = dl.get("css") == "status-overdue"
        items.append(TodoItem(
            kind=kind(), title=_whistle_title(d.whistle), action=action(),
            url=_url("whistles:detail", d.whistle_id) + f"#dispatch-{d.pk}",
            detail=f"{_place(d.whistle)} · {d.organisation.name} · {d.get_role_display()}",
            due=dl.get("due"), due_label=f"{dl.get('title', '')} {dl.get('label', '')}".strip(),
            css=dl.get("css") or "status-open", overdue=overdue,
        ))
    return tuple(items)


def todo(viewer: Viewer, limit: int) -> list[TodoGroup]:
    if not viewer.is_authenticated:
        return []
    now = timezone.now()
    groups: list[TodoGroup] = []

    work = selectors.dispatches_to_work(viewer)
    total = work.count()
    if total:
        overdue = work.filter(selectors.overdue_q(now)).count()
        groups.append(TodoGroup(_("Dispatches to work"), total, _url("whistles:inbox"), overdue,
                                _dispatch_items(window(work, 0, limit), now)))  # as the inbox pages it

    confirm = selectors.whistles_to_confirm(viewer)
    total = confirm.count()
    if total:
        groups.append(TodoGroup(_("Whistles to confirm"), total, _url("whistles:list", status=WhistleStatus.RESOLVED),
                                0, tuple(
            TodoItem(kind=_("To confirm"), title=_whistle_title(w), action=_("Confirm or return"),
                     url=_url("whistles:detail", w.pk) + "#whistle-actions", detail=w.village.name,
                     due=w.resolved_at, due_label=_waiting_label(w.resolved_at), css="status-due-soon")
            for w in confirm.select_related("township")[:limit])))

    rate = selectors.whistles_to_rate(viewer)
    total = rate.count()
    if total:
        groups.append(TodoGroup(_("Departments to rate"), total, _url("whistles:list", todo="rate"), 0, tuple(
            TodoItem(kind=_("To rate"), title=_whistle_title(w), action=_("Rate"),
                     url=_url("whistles:detail", w.pk) + "#rate-form", detail=w.village.name,
                     due=w.confirmed_at, due_label=_waiting_label(w.confirmed_at), css="status-muted")
            for w in rate.select_related("township")[:limit])))

    route = selectors.whistles_to_route(viewer)
    total = route.count()
    if total:
        groups.append(TodoGroup(_("Whistles to route"), total, _url("whistles:list", status=WhistleStatus.ROUTING),
                                0, tuple(
            TodoItem(kind=_("To route"), title=_whistle_title(w), action=_("Route"),
                     url=_url("whistles:detail", w.pk) + "#route-form", detail=_place(w),
                     due=w.raised_at, due_label=_waiting_label(w.raised_at), css="status-due-soon")
            for w in route[:limit])))

    disputes = selectors.open_disputes(viewer)
    total = disputes.count()
    if total:
        groups.append(TodoGroup(_("Disputes to decide"), total, _url("whistles:disputes"), 0, tuple(
            TodoItem(kind=_("To decide"), title=_whistle_title(d.dispatch.whistle), action=_("Decide"),
                     url=_url("whistles:disputes") + f"#dispute-{d.dispatch_id}",
                     detail=d.dispatch.organisation.name, due=d.raised_at, due_label=_waiting_label(d.raised_at),
                     css="status-due-soon")
            for d in disputes[:limit])))

    supervised = selectors.supervised_dispatches(viewer)
    total = supervised.count()
    if total:
        groups.append(TodoGroup(_("Dispatches under supervision"), total, _url("whistles:board", overdue=1), total,
                                _dispatch_items(supervised[:limit], now, follow=True)))
    return groups


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    """Whistle figures on the home page, each linking to the list filtered to it."""
    if not viewer.is_authenticated or not (viewer.roles - {"citizen"} or viewer.is_superuser):
        return []
    cards: list[dict[str, Any]] = []
    # From the board's counts table where the viewer has a scope (ADR 0013), as the board's own card.
    open_count = selectors.status_counts(viewer)[WhistleStatus.OPEN]
    cards.append({"label": _("Whistles being handled"), "value": open_count,
                  "url": _url("whistles:list", status=WhistleStatus.OPEN)})
    if viewer.county_wide or viewer.has_role("department", "township"):
        overdue = selectors.overdue_count(viewer)
        cards.append({"label": _("Whistles overdue"), "value": overdue, "url": _url("whistles:board", overdue=1),
                      "css": "text-red" if overdue else ""})
    return cards
