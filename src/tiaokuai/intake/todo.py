"""What citizen requests put on a viewer's workbench (工作台): dispatches to accept or answer, requests waiting
for an operator, answers to close or confirm, callbacks to make, overdue requests for supervision. Registered in
IntakeConfig.ready() (tiaokuai.core.registry); reads only, through selectors (scoped to the viewer)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import worktime
from tiaokuai.core.access import Viewer
from tiaokuai.core.personal import mask_text
from tiaokuai.core.registry import TodoGroup, TodoItem

from . import selectors
from .access import is_hotline, is_operator, is_supervisor
from .choices import NEEDS_CONFIRMATION, DispatchStatus, RequestStatus
from .clocks import DISPATCH_CLOCKS, overdue_unit


def _dispatch_items(rows, now) -> tuple[TodoItem, ...]:
    items = []
    for d in rows:
        pending = DISPATCH_CLOCKS.pending(DISPATCH_CLOCKS.row(d))
        due = pending[1] if pending else None
        overdue = bool(due and due <= now)
        accept = d.status == DispatchStatus.DISPATCHED
        items.append(TodoItem(
            kind=_("To accept") if accept else _("To answer"),
            title=f"{d.request.number} {mask_text(d.request.description)[:30]}",
            url=reverse("intake:detail", args=[d.request_id]), action=_("Accept") if accept else _("Answer"),
            detail=f"{d.request.township.name} · {d.request.village.name}", due=due,
            due_label=worktime.remaining_label(now, due, natural=overdue_unit(d.request.kind).natural) if due else "",
            css="status-overdue" if overdue else "status-open", overdue=overdue))
    return tuple(items)


def _request_items(rows, kind, action) -> tuple[TodoItem, ...]:
    return tuple(TodoItem(kind=kind, title=f"{r.number} {mask_text(r.description)[:30]}",
                          url=reverse("intake:detail", args=[r.pk]), action=action,
                          detail=f"{r.township.name} · {r.village.name}") for r in rows)


def todo(viewer: Viewer, limit: int) -> list[TodoGroup]:
    if not viewer.is_authenticated:
        return []
    now = timezone.now()
    groups: list[TodoGroup] = []
    work = selectors.dispatch_inbox(viewer).exclude(status=DispatchStatus.DISPUTED)
    total = work.count()
    if total:
        overdue = work.filter(DISPATCH_CLOCKS.overdue_q(now)).count()
        groups.append(TodoGroup(_("Citizen requests to handle"), total, reverse("intake:inbox"), overdue,
                                _dispatch_items(work[:limit], now)))
    if is_operator(viewer):
        waiting = selectors.request_list(viewer, status=RequestStatus.RECEIVED).order_by("submitted_at")
        if (n := waiting.count()):
            groups.append(TodoGroup(_("Requests to dispatch"), n, reverse("intake:list") + "?status=received", 0,
                                    _request_items(waiting[:limit], _("To dispatch"), _("Dispatch"))))
        answered = (selectors.request_list(viewer, status=RequestStatus.RESOLVED)
                    .exclude(outcome__in=list(NEEDS_CONFIRMATION)).order_by("resolved_at"))
        if (n := answered.count()):
            groups.append(TodoGroup(_("Answers to close"), n, reverse("intake:list") + "?status=resolved", 0,
                                    _request_items(answered[:limit], _("To close"), _("Close"))))
        calls = selectors.callbacks_due(viewer)
        if (n := calls.count()):
            groups.append(TodoGroup(_("Callbacks to make"), n, reverse("intake:callbacks"), 0,
                                    _request_items(calls[:limit], _("To call back"), _("Call back"))))
    if is_supervisor(viewer):
        confirm = (selectors.request_list(viewer, status=RequestStatus.RESOLVED)
                   .filter(outcome__in=list(NEEDS_CONFIRMATION)).order_by("resolved_at"))
        if (n := confirm.count()):
            groups.append(TodoGroup(_("Outcomes to confirm"), n, reverse("intake:list") + "?status=resolved", 0,
                                    _request_items(confirm[:limit], _("To confirm"), _("Confirm"))))
        late = selectors.overdue(viewer, now)
        if (n := late.count()):
            groups.append(TodoGroup(_("Overdue citizen requests"), n, reverse("intake:supervision"), n,
                                    _dispatch_items(late[:limit], now)))
    return groups


def hotline_todo(viewer: Viewer, limit: int) -> list[TodoGroup]:
    """A hotline operator's workbench (not the command centre's, which has its own groups above): the callbacks
    to make and the calls answered on the spot still waiting for a supervisor."""
    if not viewer.is_authenticated or not is_hotline(viewer) or is_operator(viewer):
        return []
    groups: list[TodoGroup] = []
    calls = selectors.callbacks_due(viewer)
    if (n := calls.count()):
        groups.append(TodoGroup(_("Callbacks to make"), n, reverse("intake:callbacks"), 0,
                                _request_items(calls[:limit], _("To call back"), _("Call back"))))
    mine = (selectors.request_list(viewer, status=RequestStatus.RESOLVED)
            .filter(submitted_by_id=viewer.user_id).order_by("resolved_at"))
    if (n := mine.count()):
        groups.append(TodoGroup(_("My calls waiting for confirmation"), n,
                                reverse("intake:list") + "?status=resolved", 0,
                                _request_items(mine[:limit], _("Waiting"), _("Open"))))
    return groups
