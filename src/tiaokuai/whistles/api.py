"""Whistle API (/api/v1/). Thin: parse, call one selector or service, shape the answer."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tiaokuai.core import validation
from tiaokuai.core.api import ErrorOut, Id, paging, viewer
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.personal import check_unmasked_export, mask_text, record_unmasked_export

from . import selectors, services
from .schemas import (
    ArriveIn,
    AttachmentOut,
    DecideIn,
    DisputeOut,
    NoteIn,
    RateIn,
    RatingOut,
    ReasonIn,
    ResolveIn,
    ReturnIn,
    RouteIn,
    WhistleDetailOut,
    WhistleIn,
    WhistleItemOut,
    WhistleOut,
    dispute_out,
    item_out,
    timeline_out,
    whistle_out,
)
from .workflows import DISPATCH, WHISTLE

router = Router(tags=["whistles"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ItemPage = paging(5000, 5000)
WhistlePage = paging(50, 500)
DisputePage = paging(500, 500)


@router.get("/whistle-items", response={200: list[WhistleItemOut], **ERRORS}, by_alias=True)
def list_items(request: HttpRequest, page: Query[ItemPage], domain: str | None = None):
    qs = selectors.whistle_items_in_force()
    if domain:
        qs = qs.filter(domain__code=domain)
    return [item_out(i) for i in page.window(qs)]


def _detail(request: HttpRequest, whistle_id: Id, *, revealed: bool = False) -> dict[str, Any]:
    w = selectors.whistle_detail(viewer(request), whistle_id)
    return {**whistle_out(w, revealed=revealed), "timeline": timeline_out(w), "masked": not revealed}


@router.post("/whistles", response={201: WhistleOut, **ERRORS})
def raise_whistle(request: HttpRequest, payload: WhistleIn):
    w = services.whistle_raise(
        actor=request.user, item_code=payload.item or None, village_code=payload.village,
        description=payload.description, urgency=payload.urgency, grid_code=payload.grid or None,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude)
    return Status(201, whistle_out(w, dispatches=w._new_dispatches, orgs=w._org_names, names=w._names))


@router.get("/whistles", response={200: list[WhistleOut], **ERRORS})
def list_whistles(request: HttpRequest, page: Query[WhistlePage], status: str | None = None,
                  township: str | None = None, department: str | None = None, domain: str | None = None,
                  overdue: bool | None = None, unmasked: bool = False,
                  purpose: str = Query("", max_length=200)):  # noqa: B008
    """Descriptions with phone and ID numbers masked; unmasked=true with a purpose is for holders of the permission
    to export unmasked data (403 otherwise), and is audited with the row count."""
    if unmasked:
        purpose = check_unmasked_export(actor=request.user, purpose=purpose)
    qs = selectors.board(viewer(request), township=township, department=department, domain=domain, status=status,
                         overdue=overdue)
    out = [whistle_out(w, revealed=unmasked) for w in page.window(qs)]
    if unmasked:
        record_unmasked_export(actor=request.user, what="whistles.list", label=_("Whistles"), rows=len(out),
                               purpose=purpose, filters={"status": status or "", "township": township or "",
                                                         "department": department or "", "domain": domain or ""})
    return out


@router.get("/whistles/{whistle_id}", response={200: WhistleDetailOut, **ERRORS})
def get_whistle(request: HttpRequest, whistle_id: Id, reveal: bool = False,
                purpose: str = Query("", max_length=200)):  # noqa: B008
    """Phone and ID numbers in the description are masked; the raising township, the establishment office and the
    bodies working the whistle reveal them with reveal=true and a purpose, which is audited (422 without one)."""
    if reveal:
        services.whistle_reveal(actor=request.user, whistle_id=whistle_id, purpose=purpose)
    return _detail(request, whistle_id, revealed=reveal)


@router.post("/whistles/{whistle_id}/route", response={200: WhistleDetailOut, **ERRORS})
def route_whistle(request: HttpRequest, whistle_id: Id, payload: RouteIn):
    services.whistle_route_manually(actor=request.user, whistle_id=whistle_id, lead_code=payload.lead,
                                    assist_codes=payload.assist)
    return _detail(request, whistle_id)


def _parse(schema: Any, data: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return schema(**data)
    except ValidationError as exc:
        raise Invalid(_("Please correct the errors below."), details=validation.details(list(exc.errors()))) from None


def _body(request: HttpRequest) -> dict[str, Any]:
    import json

    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        raise Invalid(_("The request body is not valid JSON."), details={"__all__": [_("Invalid JSON.")]}) from None
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object."), details={"__all__": [_("Invalid JSON.")]})
    return data


DISPATCH_ACTIONS = set(DISPATCH.names(who="handler"))


@router.post("/dispatches/{dispatch_id}/actions/{action}", response={200: WhistleDetailOut, **ERRORS})
def dispatch_action(request: HttpRequest, dispatch_id: Id, action: str):
    if action not in DISPATCH_ACTIONS:
        raise NotFound(_("Unknown action."))
    data = _body(request)
    user = request.user
    if action == "respond":
        d = services.dispatch_respond(actor=user, dispatch_id=dispatch_id)
    elif action == "arrive":
        p = _parse(ArriveIn, data)
        d = services.dispatch_arrive(actor=user, dispatch_id=dispatch_id, people=p.people, arrived_at=p.arrived_at)
    elif action == "resolve":
        p = _parse(ResolveIn, data)
        d = services.dispatch_resolve(actor=user, dispatch_id=dispatch_id, outcome=p.outcome, note=p.note)
    elif action == "dispute":
        p = _parse(ReasonIn, data)
        d = services.dispatch_dispute(actor=user, dispatch_id=dispatch_id, reason=p.reason).dispatch
    else:
        p = _parse(NoteIn, data)
        d = services.dispatch_add_note(actor=user, dispatch_id=dispatch_id, text=p.text).dispatch
    return _detail(request, d.whistle_id)


WHISTLE_ACTIONS = set(WHISTLE.names(who="township")) - {"attach"}  # photos: POST …/attachments


@router.post("/whistles/{whistle_id}/actions/{action}", response={200: WhistleDetailOut, **ERRORS})
def whistle_action(request: HttpRequest, whistle_id: Id, action: str):
    if action not in WHISTLE_ACTIONS:
        raise NotFound(_("Unknown action."))
    data = _body(request)
    user = request.user
    if action == "confirm":
        services.whistle_confirm(actor=user, whistle_id=whistle_id)
    elif action == "close":
        services.whistle_close(actor=user, whistle_id=whistle_id)
    elif action == "return":
        p = _parse(ReturnIn, data)
        services.whistle_return(actor=user, whistle_id=whistle_id, reason=p.reason, dispatch_ids=p.dispatches)
    elif action == "reopen":
        p = _parse(ReasonIn, data)
        services.whistle_reopen(actor=user, whistle_id=whistle_id, reason=p.reason)
    else:
        p = _parse(RateIn, data)
        services.whistle_rate(actor=user, whistle_id=whistle_id, ratings=[r.dict() for r in p.ratings])
    return _detail(request, whistle_id)


@router.get("/whistles/{whistle_id}/ratings", response={200: list[RatingOut], **ERRORS})
def whistle_ratings(request: HttpRequest, whistle_id: Id):
    w = selectors.whistle_detail(viewer(request), whistle_id)
    out = []
    for d in w.dispatches.all():
        r = getattr(d, "rating", None)
        if r is not None:
            out.append({"dispatch_id": d.pk, "speed": r.speed, "attitude": r.attitude, "result": r.result,
                        "comment": mask_text(r.comment)})
    return out


@router.post("/whistles/{whistle_id}/attachments", response={201: list[AttachmentOut], **ERRORS})
def upload_attachments(request: HttpRequest, whistle_id: Id, files: File[list[UploadedFile]],
                       dispatch: Id | None = None):
    stored = services.whistle_attach(actor=request.user, whistle_id=whistle_id, files=files, dispatch_id=dispatch)
    return Status(201, [{"id": a.pk, "url": a.file.url, "content_type": a.content_type, "size": a.size,
                         "dispatch": a.dispatch_id} for a in stored])


@router.get("/disputes", response={200: list[DisputeOut], **ERRORS})
def list_disputes(request: HttpRequest, page: Query[DisputePage]):
    return [dispute_out(x) for x in page.window(selectors.open_disputes(viewer(request)))]


@router.post("/disputes/{dispute_id}/decide", response={200: DisputeOut, **ERRORS})
def decide_dispute(request: HttpRequest, dispute_id: Id, payload: DecideIn):
    x = services.dispute_decide(actor=request.user, dispute_id=dispute_id, decision=payload.decision,
                                organisation_code=payload.organisation, note=payload.note)
    from .models import Dispute

    x = Dispute.objects.select_related("dispatch__whistle", "dispatch__organisation", "raised_by",
                                       "new_organisation").get(pk=x.pk)
    return dispute_out(x)
