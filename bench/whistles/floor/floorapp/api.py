"""POST /api/v1/whistles on the floor: bearer token by an indexed digest, the same pydantic input schema as the
platform's (field names, lengths and bounds of tiaokuai.whistles.schemas.WhistleIn, written out here), the
village and item checked against data read once at start-up, then one transaction of three INSERTs (the
whistle, its dispatch rows in one statement, one audit row)."""

import datetime as dt
import hashlib
import itertools
import os
from functools import cache

from django.db import transaction
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.security import HttpBearer

from .models import AuditEvent, Dispatch, Token, Whistle

ITEMS = {"CS-ZR-001": (("331122-ZRZY", "lead"), ("331122-ZHZF", "assist"))}  # item → bodies called
VILLAGES = {f"V{n:03d}" for n in range(1, 21)}
_numbers = itertools.count(1)
_PID = os.getpid()


class Bearer(HttpBearer):
    def authenticate(self, request, token):
        row = (Token.objects.filter(digest=hashlib.sha256(token.encode()).hexdigest(), expires_at__gt=timezone.now())
               .values_list("user_id", flat=True).first())
        return row


class WhistleIn(Schema):
    item: str | None = Field(None, max_length=32)
    village: str = Field(..., max_length=32)
    description: str = Field(..., min_length=1, max_length=4000)
    urgency: str = Field("normal", max_length=20)
    grid: str | None = Field(None, max_length=32)
    address: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class DispatchOut(Schema):
    id: int
    organisation: str
    role: str
    status: str
    respond_by: dt.datetime


class WhistleOut(Schema):
    id: int
    number: str
    status: str
    item: str | None
    village: str
    urgency: str
    description: str
    raised_at: dt.datetime
    dispatches: list[DispatchOut]


class ErrorOut(Schema):
    code: str
    message: str


api = NinjaAPI(title="floor", urls_namespace="floor", auth=Bearer())


@cache
def _number_prefix() -> str:
    return f"FL-{_PID}-{os.urandom(3).hex()}"


@api.post("/whistles", response={201: WhistleOut, 422: ErrorOut})
def raise_whistle(request, payload: WhistleIn):
    if payload.village not in VILLAGES or (payload.item and payload.item not in ITEMS) or \
            payload.urgency not in ("normal", "urgent", "emergency") or not payload.description.strip():
        return 422, {"code": "invalid", "message": "invalid"}
    now = timezone.now()
    respond_by = now + dt.timedelta(hours=2)
    with transaction.atomic():
        w = Whistle.objects.create(
            number=f"{_number_prefix()}-{next(_numbers)}", item=payload.item, village=payload.village,
            grid=payload.grid, raised_by=request.auth, address=payload.address, latitude=payload.latitude,
            longitude=payload.longitude, description=payload.description.strip(), urgency=payload.urgency,
            raised_at=now)
        ds = Dispatch.objects.bulk_create([
            Dispatch(whistle=w, organisation=org, role=role, dispatched_at=now, respond_by=respond_by,
                     next_check_at=respond_by) for org, role in ITEMS.get(payload.item or "", ())])
        AuditEvent.objects.create(at=now, actor_id=request.auth, action="whistles.raise", object_type="whistle",
                                  object_id=str(w.pk), after={"number": w.number, "dispatches": [d.pk for d in ds]})
    return 201, {"id": w.pk, "number": w.number, "status": w.status, "item": w.item, "village": w.village,
                 "urgency": w.urgency, "description": w.description, "raised_at": now,
                 "dispatches": [{"id": d.pk, "organisation": d.organisation, "role": d.role, "status": d.status,
                                 "respond_by": d.respond_by} for d in ds]}
