"""Open311 GeoReport v2 (/open311/v2/): discovery, services, service definitions, POST and GET requests,
one request, tokens; JSON or XML by the file extension; the spec's errors ([{"code", "description"}]).

The request types (service_code) are the matters of the responsibility list in force, grouped by domain.
A request's place is given as ``attribute[village]`` (or ``address_id``): the village code, which decides the
属地 township; the service definition lists the villages. Posting needs an ``api_key`` of an Open311 client
(admin), each with its own rate limit. Reads are public and carry no personal data. Times are ISO 8601 in
Asia/Shanghai (+08:00).

Photos: ``media_url`` (an http/https link, stored and shown, never fetched) and/or a multipart ``media`` upload
(one JPEG, PNG or WebP photo, at most MAX_UPLOAD_BYTES: 413 when larger, 415 when not a photo, nothing written).
GET answers give a request's ``media_url``: its uploaded photo as a signed link served here (``media/<token>``:
only photos posted through Open311, never staff photos), else the link it was posted with.
"""

import datetime as dt
import json
from typing import Any
from xml.sax.saxutils import escape

from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.personal import mask_text
from tiaokuai.duties.selectors import matters_in_force
from tiaokuai.org.models import Division

from . import services
from .choices import Channel, DispatchStatus, Kind, Outcome, RequestStatus
from .models import Open311Client, Request, RequestAttachment

DEFAULT_DAYS = 90
MAX_RESULTS = 1000
CLOSED = {RequestStatus.CLOSED, RequestStatus.MERGED}
SPEC = "http://wiki.open311.org/GeoReport_v2"


# ---------------------------------------------------------------- output


def _xml_value(name: str, value: Any) -> str:
    if isinstance(value, list):
        item = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
                "values": "value", "endpoints": "endpoint", "formats": "format", "keywords": "keyword",
                "service_request_updates": "request_update"}.get(name, "item")
        return f"<{name}>" + "".join(_xml_value(item, v) for v in value) + f"</{name}>"
    if isinstance(value, dict):
        return f"<{name}>" + "".join(_xml_value(k, v) for k, v in value.items()) + f"</{name}>"
    if value is None:
        return f"<{name}/>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def _answer(data: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>' + _xml_value(root, data)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(status: int, description: str, fmt: str) -> HttpResponse:
    return _answer([{"code": status, "description": str(description)}], fmt, root="errors", status=status)


def _fmt(fmt: str) -> str:
    return "xml" if fmt == "xml" else "json"


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# ---------------------------------------------------------------- discovery and services


@require_http_methods(["GET"])
def discovery(request, fmt: str = "json"):
    fmt = _fmt(fmt)
    url = request.build_absolute_uri("/open311/v2/")
    return _answer({
        "changeset": "2026-12-07T00:00:00+08:00",
        "contact": "县12345政务服务便民热线",
        "key_service": "向县指挥中心申请 api_key（系统管理 → Open311 客户端）",
        "endpoints": [{"specification": SPEC, "url": url, "changeset": "2026-12-07T00:00:00+08:00",
                       "type": "production", "formats": ["application/json", "text/xml"]}],
    }, fmt, root="discovery")


def _matters():
    return matters_in_force(timezone.localdate()).select_related("domain").prefetch_related(None)


@require_http_methods(["GET"])
def service_list(request, fmt: str = "json"):
    fmt = _fmt(fmt)
    data = [{"service_code": m.code, "service_name": m.name, "description": m.description or m.name,
             "metadata": True, "type": "realtime", "keywords": m.keywords or "", "group": m.domain.name}
            for m in _matters()]
    return _answer(data, fmt, root="services")


@require_http_methods(["GET"])
def service_definition(request, code: str, fmt: str = "json"):
    fmt = _fmt(fmt)
    if not _matters().filter(code=code).exists():
        return _error(404, "service_code not found", fmt)
    villages = Division.objects.filter(level="village").select_related("township").order_by("code")
    return _answer({"service_code": code, "attributes": [
        {"variable": True, "code": "village", "datatype": "singlevaluelist", "required": True,
         "datatype_description": "村（社区）代码", "order": 1, "description": "问题所在的村（社区）",
         "values": [{"key": v.code, "name": f"{v.township.name if v.township_id else ''}{v.name}"} for v in villages]},
        {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "办理时限类别", "order": 2, "description": "紧急程度（默认一般）",
         "values": [{"key": k.value, "name": str(k.label)} for k in Kind]},
    ]}, fmt, root="service_definition")


# ---------------------------------------------------------------- requests


def _client(key: str) -> Open311Client | None:
    """The active client with this key: one indexed look-up of the key's sha256 on every POST (a plain statement,
    no ORM), so deactivating a client in the admin refuses its next request at once, in every worker."""
    if not key:
        return None
    digest = services.key_hash(key)
    table = Open311Client._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, rate_per_minute FROM {table} WHERE key_hash = %s AND is_active = %s",  # noqa: S608
                       [digest, True])
        row = cursor.fetchone()
    if row is None:
        return None
    return Open311Client(pk=row[0], name=row[1], rate_per_minute=row[2], key_hash=digest, is_active=True)


def _over_limit(client: Open311Client) -> bool:
    minute = int(timezone.now().timestamp() // 60)
    key = f"open311:{client.key_hash[:16]}:{minute}"
    if cache.add(key, 1, timeout=120):
        return client.rate_per_minute < 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    return count > client.rate_per_minute


def _agency(r: Request) -> str:
    names = [d.organisation.name for d in r.dispatches.all() if d.status != DispatchStatus.WITHDRAWN]
    return names[-1] if names else ""


MEDIA_SALT = "tiaokuai.intake.open311.media"


def _media_url(r: Request, http_request: Any) -> str:
    """The request's photo for Open311 readers: the one posted through Open311 (a signed link served by us),
    else the link it was posted with, else ""."""
    photos = getattr(r, "open311_photos", None)
    if photos:
        token = signing.dumps(photos[0].pk, salt=MEDIA_SALT)
        return http_request.build_absolute_uri(reverse("open311:media", args=[token]))
    return r.media_url


def _as_open311(r: Request, http_request: Any = None) -> dict[str, Any]:
    notes = str(Outcome(r.outcome).label) if r.outcome else str(RequestStatus(r.status).label)
    if r.status == RequestStatus.MERGED and r.merged_into_id:
        notes = f"{notes} {r.merged_into.number}"
    expected = [d.resolve_by for d in r.dispatches.all() if d.status != DispatchStatus.WITHDRAWN]
    return {
        "service_request_id": r.number, "status": "closed" if r.status in CLOSED else "open",
        "status_notes": notes, "service_name": r.matter_name, "service_code": r.matter_code,
        "description": mask_text(r.description), "agency_responsible": _agency(r), "service_notice": "",
        "requested_datetime": _time(r.submitted_at), "updated_datetime": _time(r.updated_at),
        "expected_datetime": _time(expected[-1] if expected else r.feedback_by),
        "address": f"{r.township.name}{r.village.name}{r.address}", "address_id": r.village.code, "zipcode": "",
        "lat": float(r.latitude) if r.latitude is not None else None,
        "long": float(r.longitude) if r.longitude is not None else None,
        "media_url": _media_url(r, http_request) if http_request is not None else r.media_url,
    }


def _queryset():
    return (Request.objects.select_related("township", "village", "merged_into")
            .prefetch_related("dispatches__organisation",
                              Prefetch("attachments", to_attr="open311_photos",
                                       queryset=RequestAttachment.objects.filter(
                                           uploaded_by__isnull=True, request__channel=Channel.OPEN311)
                                       .only("pk", "request_id").order_by("pk"))))


def _parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return parsed


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request, fmt: str = "json"):
    fmt = _fmt(fmt)
    if request.method == "POST":
        return _post(request, fmt)
    params = request.GET
    qs = _queryset()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        try:
            start = _parse_time(params["start_date"]) if params.get("start_date") else None
            end = _parse_time(params["end_date"]) if params.get("end_date") else None
        except ValueError:
            return _error(400, "start_date and end_date must be ISO 8601 date-times", fmt)
        if start and end and start > end:
            return _error(400, "start_date is after end_date", fmt)
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(matter_code__in=codes)
        status = [s.strip() for s in params.get("status", "").split(",") if s.strip()]
        if any(s not in ("open", "closed") for s in status):
            return _error(400, "status must be open or closed", fmt)
        if status == ["open"]:
            qs = qs.exclude(status__in=list(CLOSED))
        elif status == ["closed"]:
            qs = qs.filter(status__in=list(CLOSED))
    rows = [_as_open311(r, request) for r in qs.order_by("-submitted_at", "-id")[:MAX_RESULTS]]
    return _answer(rows, fmt, root="service_requests")


def _post(request, fmt: str) -> HttpResponse:
    data: Any = request.POST
    if request.content_type == "application/json":  # the spec's form fields, also accepted as a JSON object
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return _error(400, "the body is not valid JSON", fmt)
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object", fmt)
        data = {str(k): "" if v is None else str(v) for k, v in body.items()}
    client = _client(data.get("api_key", ""))
    if client is None:
        return _error(403, "api_key is missing or not valid", fmt)
    if _over_limit(client):
        return _error(429, "rate limit exceeded for this api_key", fmt)
    code = data.get("service_code", "").strip()
    if not code:
        return _error(400, "service_code is required", fmt)
    today = timezone.localdate()
    # The same short memory as the submit path's (services._cached): one look-up per matter per few seconds.
    if services._cached(("matter", code, today), lambda: services.matter_in_force(code, today)) is None:
        return _error(404, "service_code not found", fmt)
    village = data.get("attribute[village]", "").strip() or data.get("address_id", "").strip()
    if not village:
        return _error(400, "attribute[village] (or address_id) is required: the village code", fmt)
    name = " ".join(p for p in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if p)
    media_url = data.get("media_url", "").strip()
    if media_url and not services.valid_media_url(media_url):
        return _error(400, "media_url must be an http or https URL of at most 500 characters", fmt)
    uploads = request.FILES.getlist("media") if request.FILES else []
    photos: list[core_attachments.Checked] = []
    if uploads:
        limit = core_attachments.max_bytes()
        if len(uploads) > 1:
            return _error(400, "at most one media file per request", fmt)
        if (uploads[0].size or 0) > limit:
            return _error(413, f"media is larger than {limit // 1048576 or 1} MB", fmt)
        photos, problems = core_attachments.check(uploads, field="media", allowed=core_attachments.IMAGES,
                                                  limit_files=1)
        if problems:
            return _error(415, "media must be a JPEG, PNG or WebP image", fmt)
    try:
        r = services.request_submit(
            actor=None, channel=Channel.OPEN311, open311_client=client, matter_code=code,
            description=data.get("description", ""), village_code=village,
            kind=data.get("attribute[kind]", "").strip() or Kind.GENERAL, address=data.get("address_string", ""),
            latitude=data.get("lat") or None, longitude=data.get("long") or None, citizen_name=name,
            citizen_phone=data.get("phone", ""), media_url=media_url,
            attachments=[(p.name, p.data) for p in photos])
    except Invalid as exc:
        messages = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.details.items())
        return _error(400, messages or exc.message, fmt)
    except NotFound as exc:
        return _error(403, exc.message, fmt)
    return _answer([{"service_request_id": r.number, "token": r.tracking_code, "service_notice": "",
                     "account_id": None}], fmt, root="service_requests", status=201)


@require_http_methods(["GET"])
def request_one(request, number: str, fmt: str = "json"):
    fmt = _fmt(fmt)
    r = _queryset().filter(number=number).first()
    if r is None:
        return _error(404, "service_request_id not found", fmt)
    return _answer([_as_open311(r, request)], fmt, root="service_requests")


@require_http_methods(["GET"])
def media(request, token: str):
    """A photo posted through Open311, for whoever holds the signed link a GET answer gave; 404 for a bad or
    foreign token, a staff photo or a missing file (core.attachments.serve)."""
    try:
        pk = signing.loads(token, salt=MEDIA_SALT)
    except signing.BadSignature:
        raise Http404 from None
    photo = RequestAttachment.objects.select_related("request").filter(pk=pk).first() if isinstance(pk, int) else None
    return core_attachments.serve(request, photo, lambda a: a.uploaded_by_id is None
                                  and a.request.channel == Channel.OPEN311)


@require_http_methods(["GET"])
def token(request, token: str, fmt: str = "json"):
    fmt = _fmt(fmt)
    r = Request.objects.filter(tracking_code=(token or "").upper()).only("number", "tracking_code").first()
    if r is None:
        return _error(404, "token not found", fmt)
    return _answer([{"service_request_id": r.number, "token": r.tracking_code}], fmt, root="service_requests")


# ---------------------------------------------------------------- the service-request updates extension


@require_http_methods(["GET"])
def updates(request, fmt: str = "json"):
    """GET servicerequestupdates: what happened to requests (the public steps, never who or any note), with
    update_id, service_request_id, status, updated_datetime, description; start_date/end_date (default 90 days),
    at most 1,000, oldest first."""
    from tiaokuai.core.models import AuditEvent

    from .selectors import PUBLIC_ACTIONS, public_label

    fmt = _fmt(fmt)
    params = request.GET
    try:
        start = _parse_time(params["start_date"]) if params.get("start_date") else None
        end = _parse_time(params["end_date"]) if params.get("end_date") else None
    except ValueError:
        return _error(400, "start_date and end_date must be ISO 8601 date-times", fmt)
    if start and end and start > end:
        return _error(400, "start_date is after end_date", fmt)
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    events = AuditEvent.objects.filter(object_type="intake.request", action__in=list(PUBLIC_ACTIONS))
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lte=end)
    events = list(events.order_by("at", "id").values("id", "at", "action", "object_id")[:MAX_RESULTS])
    numbers = dict(Request.objects.filter(pk__in={int(e["object_id"]) for e in events}).values_list("pk", "number"))
    closing = {"intake.close", "intake.confirm_outcome", "intake.merge"}
    rows = [{"update_id": str(e["id"]), "service_request_id": numbers.get(int(e["object_id"]), ""),
             "status": "closed" if e["action"] in closing else "open", "updated_datetime": _time(e["at"]),
             "description": public_label(e["action"]), "media_url": ""} for e in events]
    return _answer(rows, fmt, root="service_request_updates")
