"""API shapes of the whistle flow (contract: docs and integrations depend on these names)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from tiaokuai.core import audit, timeline
from tiaokuai.core.api import DictSchema, Id
from tiaokuai.core.personal import mask_data, mask_text
from tiaokuai.core.validation import api_only, choice_of, form_field, mirror

from . import forms
from .models import Dispatch, Whistle, WhistleItem
from .services import is_overdue


class WhistleItemOut(Schema):
    code: str
    name: str
    domain: str
    class_: str = Field(..., alias="class")
    trigger: str
    matter_code: str

    model_config = {"populate_by_name": True}


# The rules of every input field are the page form's (core.validation.form_field): one declaration serves both.
Urgency = choice_of(forms.RaiseForm, "urgency")
Outcome = choice_of(forms.ResolveForm, "outcome")
Decision = choice_of(forms.DecideForm, "decision")


class WhistleIn(DictSchema):
    item: str | None = Field(None, max_length=32)  # None: not on the list (the form's NOT_ON_LIST choice)
    village: str = form_field(forms.RaiseForm, "village", max_length=32)
    description: str = form_field(forms.RaiseForm, "description")
    urgency: Urgency = form_field(forms.RaiseForm, "urgency")  # type: ignore[valid-type]
    grid: str | None = form_field(forms.RaiseForm, "grid", max_length=32)
    address: str = form_field(forms.RaiseForm, "address")
    latitude: float | None = form_field(forms.RaiseForm, "latitude")
    longitude: float | None = form_field(forms.RaiseForm, "longitude")


mirror(WhistleIn, forms.RaiseForm, skip=("item",))  # item: None in the API is the form's "not on the list"


class DispatchOut(DictSchema):
    id: int
    organisation: str
    organisation_name: str
    role: str
    status: str
    outcome: str
    respond_by: dt.datetime
    arrive_by: dt.datetime
    resolve_by: dt.datetime
    responded_at: dt.datetime | None
    arrived_at: dt.datetime | None
    resolved_at: dt.datetime | None
    overdue: bool
    escalation_level: int
    paused: bool
    matter_code: str


class EventOut(Schema):
    action: str
    actor: str | None
    at: dt.datetime
    after: dict[str, Any] | None = None


class WhistleOut(DictSchema):
    id: int
    number: str
    status: str
    item: str | None
    item_name: str | None
    township: str
    village: str
    grid: str | None
    urgency: str
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    raised_at: dt.datetime
    raised_by: str
    dispatches: list[DispatchOut]


class WhistleDetailOut(WhistleOut):
    timeline: list[EventOut]
    masked: bool = Field(True, description="Phone and ID numbers in the free text are masked (no audited reveal)")


class ArriveIn(Schema):
    people: str = form_field(forms.ArriveForm, "people")
    arrived_at: dt.datetime | None = None


class ResolveIn(Schema):
    outcome: Outcome = form_field(forms.ResolveForm, "outcome")  # type: ignore[valid-type]
    note: str = form_field(forms.ResolveForm, "note")


class ReasonIn(Schema):
    reason: str = form_field(forms.ReasonForm, "reason")


class NoteIn(Schema):
    text: str = form_field(forms.NoteForm, "text")


class ReturnIn(Schema):
    reason: str = form_field(forms.ReasonForm, "reason")
    dispatches: list[Id] | None = Field(None, max_length=100)


class RatingIn(Schema):
    dispatch_id: Id
    speed: int = form_field(forms.RateForm, "speed")
    attitude: int = form_field(forms.RateForm, "attitude")
    result: int = form_field(forms.RateForm, "result")
    comment: str = form_field(forms.RateForm, "comment")


class RateIn(Schema):
    ratings: list[RatingIn] = Field(..., max_length=100)


class RouteIn(Schema):
    lead: str = form_field(forms.RouteForm, "lead", max_length=32)
    assist: list[str] = form_field(forms.RouteForm, "assists", max_length=100)


class DecideIn(Schema):
    decision: Decision = form_field(forms.DecideForm, "decision")  # type: ignore[valid-type]
    organisation: str | None = form_field(forms.DecideForm, "organisation", max_length=32)
    note: str = form_field(forms.DecideForm, "note")


mirror(ArriveIn, forms.ArriveForm)
mirror(ResolveIn, forms.ResolveForm)
mirror(ReasonIn, forms.ReasonForm)
mirror(ReasonIn, forms.DisputeForm)
mirror(NoteIn, forms.NoteForm)
mirror(ReturnIn, forms.ReasonForm)
mirror(RatingIn, forms.RateForm)
mirror(RouteIn, forms.RouteForm, rename={"assist": "assists"})
mirror(DecideIn, forms.DecideForm)
api_only(RateIn, "a list of RatingIn, each mirrored by RateForm")


class DisputeOut(Schema):
    id: int
    status: str
    whistle: int
    whistle_number: str
    dispatch: int
    organisation: str
    reason: str
    raised_at: dt.datetime
    raised_by: str
    decided_at: dt.datetime | None
    decision_note: str
    new_organisation: str | None
    new_dispatch: int | None


class RatingOut(Schema):
    dispatch_id: int
    speed: int
    attitude: int
    result: int
    comment: str


class AttachmentOut(Schema):
    id: int
    url: str
    content_type: str
    size: int
    dispatch: int | None


def _t(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """Every time in the API in Asia/Shanghai (+08:00), whether it came from the database or was just computed.
    `tz`: the current time zone, when the caller converts several times at once."""
    return timezone.localtime(value, tz) if value is not None else None


def item_out(i: WhistleItem) -> dict[str, Any]:
    return {"code": i.code, "name": i.name, "domain": i.domain.code, "class": i.whistle_class, "trigger": i.trigger,
            "matter_code": i.matter_code}


def dispatch_out(d: Dispatch, now: dt.datetime, org: tuple[str, str] | None = None) -> dict[str, Any]:
    code, name = org if org is not None else (d.organisation.code, d.organisation.name)
    tz = timezone.get_current_timezone()
    respond_by, arrive_by, resolve_by = _t(d.respond_by, tz), _t(d.arrive_by, tz), _t(d.resolve_by, tz)
    responded_at, arrived_at = _t(d.responded_at, tz), _t(d.arrived_at, tz)
    values = {"status": d.status, "paused_since": d.paused_since, "responded_at": responded_at,
              "arrived_at": arrived_at, "respond_by": respond_by, "arrive_by": arrive_by, "resolve_by": resolve_by}
    return {"id": d.pk, "organisation": code, "organisation_name": name, "role": d.role, "status": d.status,
            "outcome": d.outcome, "respond_by": respond_by, "arrive_by": arrive_by, "resolve_by": resolve_by,
            "responded_at": responded_at, "arrived_at": arrived_at, "resolved_at": _t(d.resolved_at, tz),
            "overdue": is_overdue(values, now), "escalation_level": d.escalation_level,
            "paused": d.paused_since is not None, "matter_code": d.matter_code}


def whistle_out(w: Whistle, *, dispatches: list[Dispatch] | None = None,
                orgs: dict[int, tuple[str, str]] | None = None, names: dict[str, Any] | None = None,
                revealed: bool = False) -> dict[str, Any]:
    """Shape a whistle. `names` carries already-known codes (so the raise path needs no extra query). The
    description is masked unless the caller made an audited reveal (services.whistle_reveal)."""
    now = timezone.now()
    names = names or {}
    ds = dispatches if dispatches is not None else list(w.dispatches.all())
    return {
        "id": w.pk, "number": w.number, "status": w.status,
        "item": names["item"] if "item" in names else (w.item.code if w.item_id else None),
        "item_name": names["item_name"] if "item_name" in names else (w.item.name if w.item_id else None),
        "township": names["township"] if "township" in names else w.township.code,
        "village": names["village"] if "village" in names else w.village.code,
        "grid": names["grid"] if "grid" in names else (w.grid.code if w.grid_id else None),
        "urgency": w.urgency, "description": w.description if revealed else mask_text(w.description), "address": w.address,
        "latitude": float(w.latitude) if w.latitude is not None else None,
        "longitude": float(w.longitude) if w.longitude is not None else None,
        "raised_at": _t(w.raised_at),
        "raised_by": names["raised_by"] if "raised_by" in names else w.raised_by.username,
        "dispatches": [dispatch_out(d, now, (orgs or {}).get(d.organisation_id)) for d in ds],
    }


def timeline_out(w: Whistle) -> list[dict[str, Any]]:
    events = list(audit.timeline(w))
    return [{"action": e.action, "actor": e.actor.username if e.actor_id else None, "at": _t(e.at),
             "after": mask_data(e.after),
             "text": entry.text} for e, entry in zip(events, timeline.render(events), strict=True)]


def dispute_out(x: Any) -> dict[str, Any]:
    return {"id": x.pk, "status": x.status, "whistle": x.dispatch.whistle_id, "whistle_number": x.dispatch.whistle.number,
            "dispatch": x.dispatch_id, "organisation": x.dispatch.organisation.code, "reason": mask_text(x.reason),
            "raised_at": _t(x.raised_at), "raised_by": x.raised_by.username, "decided_at": _t(x.decided_at),
            "decision_note": mask_text(x.decision_note),
            "new_organisation": x.new_organisation.code if x.new_organisation_id else None,
            "new_dispatch": x.new_dispatch_id}
