"""Citizen request API (/api/v1/). Thin: parse, call one selector or service, shape the answer."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tiaokuai.core.api import ErrorOut, Id, paging, viewer

from . import selectors, services
from .access import request_parties
from .schemas import (
    CallbackIn,
    ContactOut,
    DecideIn,
    DispatchOut,
    MergeIn,
    ReasonIn,
    RequestDetailOut,
    RequestIn,
    RequestOut,
    ResolveIn,
    RevealIn,
    RouteIn,
    dispatch_out,
    request_out,
    timeline_out,
)
from .workflows import REQUEST

router = Router(tags=["requests"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
RequestPage = paging(50, 500)


def _detail(request: HttpRequest, request_id: int) -> dict[str, Any]:
    v = viewer(request)
    r = selectors.request_detail(v, request_id)
    dispatches = selectors.dispatches_of(r)
    return {**request_out(r, dispatches), "timeline": timeline_out(r),
            "actions": REQUEST.available(r.status, request_parties(v, r, dispatches))}


@router.post("/requests", response={201: RequestOut, **ERRORS})
def take_request(request: HttpRequest, payload: RequestIn):
    """A request taken by staff: the hotline (the command centre or a hotline operator), a grid worker's report or a
    proxy agent's visit."""
    r = services.request_submit(
        actor=request.user, channel=payload.channel, description=payload.description, village_code=payload.village,
        kind=payload.kind, matter_code=payload.matter, citizen_name=payload.citizen_name,
        citizen_phone=payload.citizen_phone, address=payload.address, latitude=payload.latitude,
        longitude=payload.longitude, answered_on_spot=payload.answered_on_spot, answer=payload.answer)
    return Status(201, request_out(r))


@router.get("/requests", response={200: list[RequestOut], **ERRORS})
def list_requests(request: HttpRequest, page: Query[RequestPage], status: str = "", channel: str = ""):
    qs = selectors.request_list(viewer(request), status=status[:16], channel=channel[:16]).prefetch_related(
        "dispatches__organisation")
    return [request_out(r, list(r.dispatches.all())) for r in page.window(qs)]


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **ERRORS})
def get_request(request: HttpRequest, request_id: Id):
    return _detail(request, request_id)


@router.post("/requests/{request_id}/route", response={200: RequestDetailOut, **ERRORS})
def route(request: HttpRequest, request_id: Id, payload: RouteIn):
    services.request_route(actor=request.user, request_id=request_id, matter_code=payload.matter,
                           organisation_code=payload.organisation)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/close", response={200: RequestDetailOut, **ERRORS})
def close(request: HttpRequest, request_id: Id):
    services.request_close(actor=request.user, request_id=request_id)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/confirm", response={200: RequestDetailOut, **ERRORS})
def confirm(request: HttpRequest, request_id: Id):
    services.request_confirm_outcome(actor=request.user, request_id=request_id)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/return", response={200: RequestDetailOut, **ERRORS})
def return_answer(request: HttpRequest, request_id: Id, payload: ReasonIn):
    services.request_return(actor=request.user, request_id=request_id, reason=payload.reason)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/callback", response={200: RequestDetailOut, **ERRORS})
def callback(request: HttpRequest, request_id: Id, payload: CallbackIn):
    services.request_callback(actor=request.user, request_id=request_id, satisfaction=payload.satisfaction,
                              comment=payload.comment, not_solved=payload.not_solved)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/merge", response={200: RequestDetailOut, **ERRORS})
def merge(request: HttpRequest, request_id: Id, payload: MergeIn):
    services.request_merge(actor=request.user, request_id=request_id, into_number=payload.into)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/reveal", response={200: ContactOut, **ERRORS})
def reveal(request: HttpRequest, request_id: Id, payload: RevealIn):
    """The citizen's name and number, for the operator, a hotline operator, a supervisor or the body handling it,
    with the purpose (audited; 422 without one)."""
    return services.request_reveal_contact(actor=request.user, request_id=request_id, purpose=payload.purpose)


@router.get("/request-dispatches", response={200: list[DispatchOut], **ERRORS})
def inbox(request: HttpRequest, page: Query[RequestPage]):
    return [dispatch_out(d) for d in page.window(selectors.dispatch_inbox(viewer(request)))]


@router.post("/request-dispatches/{dispatch_id}/accept", response={200: DispatchOut, **ERRORS})
def accept(request: HttpRequest, dispatch_id: Id):
    return dispatch_out(services.dispatch_accept(actor=request.user, dispatch_id=dispatch_id))


@router.post("/request-dispatches/{dispatch_id}/resolve", response={200: DispatchOut, **ERRORS})
def resolve(request: HttpRequest, dispatch_id: Id, payload: ResolveIn):
    return dispatch_out(services.dispatch_resolve(actor=request.user, dispatch_id=dispatch_id,
                                                  outcome=payload.outcome, note=payload.note))


@router.post("/request-dispatches/{dispatch_id}/dispute", response={201: dict, **ERRORS})
def dispute(request: HttpRequest, dispatch_id: Id, payload: ReasonIn):
    x = services.dispatch_dispute(actor=request.user, dispatch_id=dispatch_id, reason=payload.reason)
    return Status(201, {"id": x.pk, "status": x.status})


@router.post("/request-disputes/{dispute_id}/decide", response={200: dict, **ERRORS})
def decide(request: HttpRequest, dispute_id: Id, payload: DecideIn):
    x = services.dispute_decide(actor=request.user, dispute_id=dispute_id, decision=payload.decision,
                                organisation_code=payload.organisation, note=payload.note)
    return {"id": x.pk, "status": x.status}


class RequestFigureRow(Schema):
    name: str | None
    requests: int
    answered: int
    on_time: int
    resolved: int
    callbacks: int
    satisfied: int
    satisfied_all: int
    excluded: int
    false_completions: int
    rate: float | None
    rate_all: float | None


class RequestFiguresOut(Schema):
    month: str
    by: str
    rows: list[RequestFigureRow]


@router.get("/request-figures", response={200: RequestFiguresOut, **ERRORS})
def request_figures(request: HttpRequest, month: str = "", by: str = "channel"):
    """The month's figures per channel, township or department, scoped to what the caller may see: requests,
    answered (on time), resolved, callbacks, satisfaction with and without the excluded outcomes, false
    completions — the same numbers as the figures page and its xlsx."""
    from django.utils import timezone

    from . import reports

    by = by if by in reports.GROUPS else "channel"
    first = reports.parse_month(month, timezone.localdate())
    rows = reports.monthly_figures(viewer(request), first, by)
    return {"month": f"{first:%Y-%m}", "by": by, "rows": [
        {**r, "name": None if r["name"] is None else str(r["name"]), "satisfied": r["good"],
         "satisfied_all": r["good_all"]} for r in rows]}
