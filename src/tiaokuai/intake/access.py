"""Who may do what with citizen requests. Missing and forbidden look the same (NotFound).

Parties (workflows.py): operator — the command centre (role leader) that runs the hotline; hotline — a hotline
operator (role hotline: takes calls, makes the callbacks; sees the requests taken on the hotline, those they took
and closed ones, whose callbacks they make); supervisor — the supervision office; office — the establishment office (arbitration); handler — staff of the body a dispatch
is addressed to (department staff of it, or township staff of the township whose government or office it
is, the same rule as whistle dispatches)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer, viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.org.choices import Role

from .choices import Channel, DispatchStatus, RequestStatus
from .models import Request, RequestDispatch, RequestDispute

OPERATOR_ROLES = frozenset({Role.LEADER})
HOTLINE_ROLES = frozenset({Role.HOTLINE})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISION})
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.PROXY_AGENT})


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_operator(viewer: Viewer) -> bool:
    return viewer.is_superuser or bool(viewer.roles & OPERATOR_ROLES)


def is_hotline(viewer: Viewer) -> bool:
    """A hotline operator (not the command centre: no routing, closing or merging)."""
    return bool(viewer.roles & HOTLINE_ROLES)


def takes_calls(viewer: Viewer) -> bool:
    """Takes hotline calls and works the callback queue: the command centre or a hotline operator."""
    return is_operator(viewer) or is_hotline(viewer)


def is_supervisor(viewer: Viewer) -> bool:
    return viewer.is_superuser or bool(viewer.roles & SUPERVISOR_ROLES)


def is_office(viewer: Viewer) -> bool:
    return viewer.is_superuser or Role.ESTABLISHMENT_OFFICE in viewer.roles


def is_department_staff(viewer: Viewer) -> bool:
    return bool(viewer.roles & {Role.DEPARTMENT, Role.OFFICER}) and bool(viewer.organisation_ids)


def is_township_staff(viewer: Viewer) -> bool:
    return Role.TOWNSHIP in viewer.roles and bool(viewer.township_ids)


def handled_q(viewer: Viewer, prefix: str = "") -> Q:
    """Dispatch rows (or `prefix`-related rows) the viewer works."""
    cond = Q(pk__in=[])
    if is_department_staff(viewer):
        cond |= Q(**{f"{prefix}organisation_id__in": viewer.organisation_ids})
    if is_township_staff(viewer):
        cond |= Q(**{f"{prefix}organisation_id__in": viewer.township_body_ids})
    return cond


def may_handle(viewer: Viewer, dispatch: RequestDispatch) -> bool:
    if is_department_staff(viewer) and dispatch.organisation_id in viewer.organisation_ids:
        return True
    return is_township_staff(viewer) and dispatch.organisation_id in viewer.township_body_ids


def scope_requests(viewer: Viewer, qs: QuerySet[Request]) -> QuerySet[Request]:
    """County-wide roles see every request; a township those in its township; a body those dispatched to it;
    a grid worker or proxy agent those they took; a hotline operator those taken on the hotline and the closed
    ones (the callback queue), besides those they took."""
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.county_wide:
        return qs
    cond = Q(submitted_by_id=viewer.user_id)
    if is_township_staff(viewer):
        cond |= Q(township_id__in=viewer.township_ids)
    if is_hotline(viewer):
        cond |= Q(channel=Channel.HOTLINE) | Q(status=RequestStatus.CLOSED)
    if is_department_staff(viewer) or is_township_staff(viewer):
        cond |= Q(Exists(RequestDispatch.objects.filter(handled_q(viewer), request=OuterRef("pk"))))
    return qs.filter(cond)


def may_see(viewer: Viewer, request: Request) -> bool:
    return scope_requests(viewer, Request.objects.filter(pk=request.pk)).exists()


def request_parties(viewer: Viewer, request: Request, dispatches: list[RequestDispatch] | None = None) -> set[str]:
    parties: set[str] = set()
    if is_operator(viewer):
        parties.add("operator")
    if is_hotline(viewer):
        parties.add("hotline")
    if is_supervisor(viewer):
        parties.add("supervisor")
    if is_office(viewer):
        parties.add("office")
    if dispatches is None:
        dispatches = list(request.dispatches.select_related("organisation"))
    if any(d.status != DispatchStatus.WITHDRAWN and may_handle(viewer, d) for d in dispatches):
        parties.add("handler")
    return parties


def dispatch_parties(viewer: Viewer, dispatch: RequestDispatch) -> set[str]:
    parties: set[str] = set()
    if may_handle(viewer, dispatch):
        parties.add("handler")
    if is_office(viewer):
        parties.add("office")
    if is_operator(viewer):
        parties.add("operator")
    if is_supervisor(viewer):
        parties.add("supervisor")
    return parties


def access_request(user: Any, request_id: Any, party: str | tuple[str, ...] = "view") -> Request:
    """The request if the user may see it ("view") or is this party (or one of these parties) on it
    ("operator", "hotline", "supervisor", "handler", …)."""
    viewer = viewer_for(user)
    pk = _int(request_id)
    if pk is None or not viewer.is_authenticated:
        raise NotFound(_("Request not found."))
    request = Request.objects.select_related("township", "village").filter(pk=pk).first()
    if request is None or not may_see(viewer, request):
        raise NotFound(_("Request not found."))
    wanted = {party} if isinstance(party, str) else set(party)
    if wanted != {"view"} and not wanted & request_parties(viewer, request):
        raise NotFound(_("Request not found."))
    return request


def access_dispatch(user: Any, dispatch_id: Any) -> RequestDispatch:
    """A dispatch the user's body works (handler)."""
    viewer = viewer_for(user)
    pk = _int(dispatch_id)
    if pk is None or not viewer.is_authenticated:
        raise NotFound(_("Dispatch not found."))
    dispatch = RequestDispatch.objects.select_related("request", "organisation").filter(pk=pk).first()
    if dispatch is None or not may_handle(viewer, dispatch):
        raise NotFound(_("Dispatch not found."))
    return dispatch


def access_dispute(user: Any, dispute_id: Any) -> RequestDispute:
    viewer = viewer_for(user)
    pk = _int(dispute_id)
    if pk is None or not is_office(viewer):
        raise NotFound(_("Dispute not found."))
    dispute = (RequestDispute.objects.select_related("dispatch", "dispatch__request", "dispatch__organisation")
               .filter(pk=pk).first())
    if dispute is None:
        raise NotFound(_("Dispute not found."))
    return dispute
