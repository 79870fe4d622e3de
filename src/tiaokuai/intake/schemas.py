"""API shapes of citizen requests (/api/v1/requests…). Personal data is masked here; the reveal endpoint is the
only way to read it, and it is audited."""

from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from tiaokuai.core import audit, timeline
from tiaokuai.core.forms import RevealForm
from tiaokuai.core.personal import mask_name, mask_phone, mask_text
from tiaokuai.core.validation import choice_of, form_field, mirror

from . import forms as F
from .models import Request, RequestDispatch


def _t(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


KindIn = choice_of(F.HotlineForm, "kind")
OutcomeIn = choice_of(F.ResolveForm, "outcome")
SatisfactionIn = choice_of(F.CallbackForm, "satisfaction")
DecisionIn = choice_of(F.DecideForm, "decision")


class RequestIn(Schema):
    """A request taken by the hotline or in the field: the rules of the hotline form (and the field form's place)."""

    channel: str = Field("hotline", max_length=16)
    description: str = form_field(F.HotlineForm, "description")
    village: str = form_field(F.HotlineForm, "village", max_length=32)
    kind: KindIn = form_field(F.HotlineForm, "kind")  # type: ignore[valid-type]
    matter: str = form_field(F.HotlineForm, "matter", default="", max_length=32)
    citizen_name: str = form_field(F.HotlineForm, "citizen_name")
    citizen_phone: str = form_field(F.HotlineForm, "citizen_phone")
    address: str = form_field(F.HotlineForm, "address")
    latitude: float | None = form_field(F.FieldForm, "latitude")
    longitude: float | None = form_field(F.FieldForm, "longitude")
    answered_on_spot: bool = form_field(F.HotlineForm, "answered_on_spot")
    answer: str = form_field(F.HotlineForm, "answer")


class RouteIn(Schema):
    matter: str = form_field(F.RouteForm, "matter", default="", max_length=32)
    organisation: str = form_field(F.RouteForm, "organisation", default="", max_length=32)


class ReasonIn(Schema):
    reason: str = form_field(F.ReasonForm, "reason")


class ResolveIn(Schema):
    outcome: OutcomeIn = form_field(F.ResolveForm, "outcome")  # type: ignore[valid-type]
    note: str = form_field(F.ResolveForm, "note")


class CallbackIn(Schema):
    satisfaction: SatisfactionIn = form_field(F.CallbackForm, "satisfaction")  # type: ignore[valid-type]
    comment: str = form_field(F.CallbackForm, "comment")
    not_solved: bool = form_field(F.CallbackForm, "not_solved")


class MergeIn(Schema):
    into: str = form_field(F.MergeForm, "into")


class DecideIn(Schema):
    decision: DecisionIn = form_field(F.DecideForm, "decision")  # type: ignore[valid-type]
    organisation: str = form_field(F.DecideForm, "organisation")
    note: str = form_field(F.DecideForm, "note")


class RevealIn(Schema):
    purpose: str = form_field(RevealForm, "purpose")


# One declaration of the input rules (core.validation): the pages' forms.
mirror(RevealIn, RevealForm)
mirror(RequestIn, F.HotlineForm)
mirror(RequestIn, F.FieldForm)
mirror(RouteIn, F.RouteForm)
mirror(ReasonIn, F.ReasonForm)
mirror(ResolveIn, F.ResolveForm)
mirror(CallbackIn, F.CallbackForm)
mirror(MergeIn, F.MergeForm)
mirror(DecideIn, F.DecideForm)


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
