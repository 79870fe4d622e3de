"""API shapes of citizen requests (/api/v1/requests…). Personal data is masked here; the reveal endpoint is the
only way to read it, and it is audited."""

from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from tiaokuai.core import audit, timeline
from tiaokuai.core.personal import mask_text

from .models import Request, RequestDispatch
from .selectors import mask_name, mask_phone


def _t(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


class RequestIn(Schema):
    channel: str = Field("hotline", max_length=16)
    description: str = Field(..., min_length=1, max_length=4000)
    village: str = Field(..., max_length=32)
    kind: str = Field("general", max_length=16)
    matter: str = Field("", max_length=32)
    citizen_name: str = Field("", max_length=60)
    citizen_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    answered_on_spot: bool = False
    answer: str = Field("", max_length=2000)


class RouteIn(Schema):
    matter: str = Field("", max_length=32)
    organisation: str = Field("", max_length=32)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ResolveIn(Schema):
    outcome: str = Field(..., max_length=20)
    note: str = Field("", max_length=2000)


class CallbackIn(Schema):
    satisfaction: str = Field(..., max_length=16)
    comment: str = Field("", max_length=2000)
    not_solved: bool = False


class MergeIn(Schema):
    into: str = Field(..., max_length=32)


class DecideIn(Schema):
    decision: str = Field(..., max_length=16)
    organisation: str = Field("", max_length=32)
    note: str = Field("", max_length=2000)


class DispatchOut(Schema):
    id: int
    request: int
    request_number: str
    organisation: str
    organisation_name: str
    status: str
    outcome: str
    accept_by: str | None
    resolve_by: str | None
    accepted_at: str | None
    resolved_at: str | None
    escalation_level: int


class RequestOut(Schema):
    id: int
    number: str
    channel: str
    kind: str
    status: str
    description: str
    township: str
    village: str
    matter: str
    citizen_name: str
    citizen_phone: str
    submitted_at: str | None
    feedback_by: str | None
    outcome: str
    satisfaction: str
    dispatches: list[DispatchOut]


class RequestDetailOut(RequestOut):
    timeline: list[dict[str, Any]]
    actions: list[str]


class ContactOut(Schema):
    citizen_name: str
    citizen_phone: str


def dispatch_out(d: RequestDispatch, request: Request | None = None) -> dict[str, Any]:
    r = request or d.request
    return {"id": d.pk, "request": d.request_id, "request_number": r.number, "organisation": d.organisation.code,
            "organisation_name": d.organisation.name, "status": d.status, "outcome": d.outcome,
            "accept_by": _t(d.accept_by), "resolve_by": _t(d.resolve_by), "accepted_at": _t(d.accepted_at),
            "resolved_at": _t(d.resolved_at), "escalation_level": d.escalation_level}


def request_out(r: Request, dispatches: list[RequestDispatch] | None = None) -> dict[str, Any]:
    if dispatches is None:
        dispatches = list(r.dispatches.select_related("organisation").order_by("id"))
    return {"id": r.pk, "number": r.number, "channel": r.channel, "kind": r.kind, "status": r.status,
            "description": mask_text(r.description), "township": r.township.code, "village": r.village.code,
            "matter": r.matter_code, "citizen_name": mask_name(r.citizen_name),
            "citizen_phone": mask_phone(r.citizen_phone), "submitted_at": _t(r.submitted_at),
            "feedback_by": _t(r.feedback_by), "outcome": r.outcome, "satisfaction": r.satisfaction,
            "dispatches": [dispatch_out(d, r) for d in dispatches]}


def timeline_out(r: Request) -> list[dict[str, Any]]:
    events = list(audit.timeline(r).select_related("actor").order_by("at", "id"))
    return [{"action": e.action, "at": _t(e.at), "text": entry.text}
            for e, entry in zip(events, timeline.render(events), strict=True)]
