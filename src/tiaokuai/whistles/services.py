"""Writes of the whistle flow (乡镇吹哨、部门报到).

Every write: access check → validate → compare-and-set (core.states.transition) → exactly one audit
event → side effects (notifications) on commit. Audit events of a whistle and of its dispatches are all
written against the whistle (with the dispatch in `after`), so the whistle's timeline tells the whole story.
"""

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core import audit, clocks, numbering, worktime
from tiaokuai.core import dispatch as dispatch_kernel
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.duties.choices import TERRITORIAL_TOWNSHIP_LABEL, BodyKind, DutyRole, ListKind, ReleaseStatus
from tiaokuai.duties.models import Assignment, ListRelease, Matter
from tiaokuai.duties.selectors import township_government
from tiaokuai.org.choices import OrganisationKind, Role
from tiaokuai.org.models import Division, Membership, Organisation

from .access import access_dispatch, access_dispute, access_whistle, handled_q
from .choices import (
    DEFAULT_MINUTES,
    OUTCOMES_NEEDING_NOTE,
    AssignmentRole,
    DispatchRole,
    DispatchStatus,
    DisputeDecision,
    Outcome,
    Urgency,
    WhistleStatus,
)
from .clocks import DISPATCH_CLOCKS, step_specs, step_unit
from .models import (
    Attachment,
    Dispatch,
    DispatchNote,
    Dispute,
    Rating,
    Whistle,
    WhistleItem,
)
from .workflows import DISPATCH, DISPUTE, WHISTLE

INVALID = "Please correct the errors below."
NUMBER_PREFIX = "CS"  # whistle numbers: CS-20261123-0001

# ---------------------------------------------------------------- settings


def reopen_days() -> int:
    return int(settings.TIAOKUAI.get("WHISTLE_REOPEN_DAYS", 15))


def escalation_interval_minutes() -> int:
    """Working minutes between escalation levels (default: one working day)."""
    value = settings.TIAOKUAI.get("WHISTLE_ESCALATION_INTERVAL_MINUTES")
    return int(value) if value is not None else worktime.minutes_per_day()


def emergency_escalation_interval_minutes() -> int:
    """Clock minutes between escalation levels for emergencies (they run around the clock; default one hour)."""
    return int(settings.TIAOKUAI.get("WHISTLE_EMERGENCY_ESCALATION_INTERVAL_MINUTES", 60))


def escalation_interval(urgency: str) -> clocks.DeadlineSpec:
    """The time between escalation levels: one working day, or 60 natural minutes for emergencies."""
    if urgency == Urgency.EMERGENCY:
        return clocks.DeadlineSpec(emergency_escalation_interval_minutes(), clocks.Unit.NATURAL_MINUTES)
    return clocks.DeadlineSpec(escalation_interval_minutes(), clocks.Unit.WORKING_MINUTES)


def escalation_interval_end(at: dt.datetime, urgency: str) -> dt.datetime:
    """When the next escalation level may follow one made at `at`."""
    return escalation_interval(urgency).due(at)


def _invalid(details: Mapping[str, list[str]]) -> Invalid:
    return Invalid(_(INVALID), details=dict(details))


# ---------------------------------------------------------------- clocks (declared in .clocks, run by core.clocks)


def is_natural(urgency: str) -> bool:
    return step_unit(urgency).natural


def step_deadlines(start: dt.datetime, minutes: Sequence[int], urgency: str) -> tuple[dt.datetime, ...]:
    return tuple(spec.due(start) for spec in step_specs(minutes, urgency))


def pending_step(d: Mapping[str, Any]) -> tuple[str, dt.datetime] | None:
    """The first step of a dispatch not done yet and its deadline (None when nothing is pending)."""
    return DISPATCH_CLOCKS.pending(d)  # type: ignore[return-value]


def next_check(d: Mapping[str, Any], *, interval_end: dt.datetime | None = None) -> dt.datetime | None:
    """The next moment the escalation sweep must look at a dispatch (the ladder's rule, core.escalation)."""
    from .sweeps import LADDER  # the ladder tells people through this module's helpers

    return LADDER.next_check(d, interval_end=interval_end)


def is_overdue(d: Mapping[str, Any], now: dt.datetime) -> bool:
    return DISPATCH_CLOCKS.is_overdue(d, now)


def _values(dispatch: Dispatch, **changes: Any) -> dict[str, Any]:
    fields = ["status", "paused_since", "responded_at", "arrived_at", "respond_by", "arrive_by", "resolve_by",
              "escalation_level", "escalated_at"]
    out = {f: getattr(dispatch, f) for f in fields}
    if "urgency" not in changes and dispatch.escalated_at is not None:
        out["urgency"] = dispatch.whistle.urgency
    out.update(changes)
    return out


# ---------------------------------------------------------------- routing (item → matter → bodies)


@dataclass(frozen=True)
class Body:
    organisation_id: int
    code: str
    kind: str
    division_id: int
    role: str  # DutyRole
    name: str = ""
    territorial: bool = False  # the role 属地乡镇（街道）: no organisation until resolved for a township


def territorial_body(role: str) -> Body:
    """The list's territorial role, unresolved (organisation 0): resolve_body() names the organisation."""
    return Body(0, "", OrganisationKind.TOWNSHIP, 0, role, TERRITORIAL_TOWNSHIP_LABEL, territorial=True)


def resolve_body(body: Body, township_id: int) -> Body | None:
    """The body as it stands for a whistle in `township_id`: a named organisation is itself; the territorial role
    is the government of that township (duties.selectors.township_government; None when it has none)."""
    if not body.territorial:
        return body
    gov = _cached(("township-government", township_id), lambda: township_government(township_id))
    if gov is None:
        return None
    return Body(gov.pk, gov.code, gov.kind, gov.division_id, body.role, gov.name)


@dataclass(frozen=True)
class Route:
    item_id: int
    code: str
    name: str
    matter_code: str
    minutes: Mapping[str, tuple[int, int, int]]
    bodies: tuple[Body, ...]  # primary first


_ROUTE_CACHE: dict[tuple[int | None, int | None], dict[str, Route]] = {}


_TTL_CACHE: dict[tuple, tuple[float, Any]] = {}


def _ttl_seconds() -> float:
    if getattr(settings, "TESTING", False):
        return 0.0  # tests roll back their rows; a cache would outlive them
    return float(settings.TIAOKUAI.get("WHISTLE_CACHE_SECONDS", 10))


def _cached(key: tuple, compute: Any) -> Any:
    """A few seconds of in-process memory for hot, rarely changing reads on the raise path."""
    ttl = _ttl_seconds()
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    hit = _TTL_CACHE.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if len(_TTL_CACHE) > 1000:
        _TTL_CACHE.clear()
    _TTL_CACHE[key] = (now + ttl, value)
    return value


def releases_in_force(on: dt.date) -> tuple[int | None, int | None]:
    """(whistle list release id, responsibility list release id) in force on a date — one query (cached for a
    few seconds: a version published to take effect today is used at most WHISTLE_CACHE_SECONDS later)."""
    return _cached(("releases", on), lambda: _releases_in_force(on))


def _releases_in_force(on: dt.date) -> tuple[int | None, int | None]:
    rows = ListRelease.objects.filter(
        kind__in=[ListKind.WHISTLE, ListKind.RESPONSIBILITY], status=ReleaseStatus.PUBLISHED, effective_from__lte=on
    ).order_by("effective_from").values_list("kind", "pk")
    found: dict[str, int] = {}
    for kind, pk in rows:
        found[kind] = pk
    return found.get(ListKind.WHISTLE), found.get(ListKind.RESPONSIBILITY)


def routes_for(item_release_id: int | None, resp_release_id: int | None) -> dict[str, Route]:
    """item code → Route for a pair of published (frozen, never-changing) releases; cached in-process,
    the cache key is the version check."""
    key = (item_release_id, resp_release_id)
    hit = _ROUTE_CACHE.get(key)
    if hit is not None:
        return hit
    items = list(WhistleItem.objects.filter(release_id=item_release_id)) if item_release_id else []
    bodies: dict[str, list[Body]] = {}
    if resp_release_id:
        codes = {i.matter_code for i in items if i.matter_code}
        for a in (Assignment.objects.filter(matter__release_id=resp_release_id, matter__code__in=codes)
                  .values("matter__code", "role", "body_kind", "organisation_id", "organisation__code",
                          "organisation__kind", "organisation__division_id", "organisation__is_active",
                          "organisation__name")
                  .order_by("matter__code", "-role", "body_kind", "organisation__code")):
            if a["body_kind"] == BodyKind.TERRITORIAL_TOWNSHIP:
                bodies.setdefault(a["matter__code"], []).append(territorial_body(a["role"]))
                continue
            if not a["organisation__is_active"]:
                continue
            bodies.setdefault(a["matter__code"], []).append(Body(
                a["organisation_id"], a["organisation__code"], a["organisation__kind"],
                a["organisation__division_id"], a["role"], a["organisation__name"]))
    routes = {
        i.code: Route(i.pk, i.code, i.name, i.matter_code,
                      {u: i.minutes(u) for u in Urgency.values},
                      tuple(sorted(bodies.get(i.matter_code, []), key=lambda b: b.role != DutyRole.PRIMARY)))
        for i in items
    }
    if len(_ROUTE_CACHE) > 32:
        _ROUTE_CACHE.clear()
    _ROUTE_CACHE[key] = routes
    return routes


def clear_route_cache() -> None:
    _ROUTE_CACHE.clear()
    _TTL_CACHE.clear()


def _own_township(body: Body, township_id: int) -> bool:
    return body.kind in (OrganisationKind.TOWNSHIP, OrganisationKind.TOWNSHIP_OFFICE) and body.division_id == township_id


def dispatch_plan(route: Route, township_id: int) -> list[tuple[Body, str]]:
    """(body, dispatch role) for a whistle raised in a township: the list's bodies, the territorial role
    属地乡镇（街道） resolved to that township's government. The primary body leads, coordinating bodies assist; the
    whistle's own township is never called (it is the one whistling). When the list makes the township itself
    the primary body (属地 leads: its own matter), it still calls the other bodies the list names: the first of
    them leads, the rest assist. Empty when the matter has no primary body, or names nobody else to call."""
    bodies = [r for r in (resolve_body(b, township_id) for b in route.bodies) if r is not None]
    if not any(b.role == DutyRole.PRIMARY for b in bodies):
        return []
    called = [b for b in bodies if not _own_township(b, township_id)]  # primary first (routes_for sorts)
    return [(b, DispatchRole.LEAD if i == 0 else DispatchRole.ASSIST) for i, b in enumerate(called)]


# ---------------------------------------------------------------- helpers


def _url(whistle_id: int) -> str:
    try:
        return reverse("whistles:detail", args=[whistle_id])
    except NoReverseMatch:
        return f"/whistles/{whistle_id}/"


def department_users(org_ids: Iterable[int], *, heads_only: bool = False) -> dict[int, list[Any]]:
    """organisation id → active users of the department staff (or heads) — one query."""
    qs = Membership.objects.filter(organisation_id__in=list(org_ids), person__user__isnull=False,
                                   person__user__is_active=True)
    if heads_only:
        qs = qs.filter(is_head=True)
    else:
        qs = qs.filter(role__in=[Role.DEPARTMENT, Role.OFFICER])
    user_ids: dict[int, set[int]] = {}
    for org_id, user_id in qs.values_list("organisation_id", "person__user_id"):
        user_ids.setdefault(org_id, set()).add(user_id)
    all_ids = set().union(*user_ids.values()) if user_ids else set()
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=all_ids)}
    return {org: [users[u] for u in sorted(ids) if u in users] for org, ids in user_ids.items()}


def _notify(**kwargs: Any) -> None:
    from tiaokuai.notify.services import notify

    if kwargs.get("recipients"):
        notify(**kwargs)


def department_staff(org_ids: list[int]) -> list[Any]:
    """Active users who are department staff (or officers) of these organisations — one query (cached for a
    few seconds on the raise path)."""
    return _cached(("staff", tuple(sorted(org_ids))), lambda: _department_staff(org_ids))


def _department_staff(org_ids: list[int]) -> list[Any]:
    return list(get_user_model().objects.filter(
        is_active=True, person__memberships__organisation_id__in=org_ids,
        person__memberships__role__in=[Role.DEPARTMENT, Role.OFFICER]).distinct().order_by("pk"))


def _notify_departments(whistle: Whistle, org_ids: Iterable[int], *, kind: str, title: str, body: str = "") -> None:
    """One notify() call for the staff of all these bodies (same message). Called inside the business
    transaction: the notifications and their outbox rows commit with the change or not at all; sending
    starts after the commit (notify.services)."""
    _notify(recipients=department_staff(list(org_ids)), kind=kind, title=title, body=body, url=_url(whistle.pk),
            obj=whistle)


def _notify_township(whistle: Whistle, *, kind: str, title: str) -> None:
    """Tell the raising township's staff, inside the business transaction (see _notify_departments)."""
    users = list(get_user_model().objects.filter(
        is_active=True, person__memberships__role=Role.TOWNSHIP,
        person__memberships__division_id=whistle.township_id).distinct())
    _notify(recipients=users, kind=kind, title=title, url=_url(whistle.pk), obj=whistle)


def _notify_office(whistle: Whistle, *, kind: str, title: str, body: str = "") -> None:
    """Tell the establishment office, inside the business transaction (see _notify_departments)."""
    users = list(get_user_model().objects.filter(
        is_active=True, person__memberships__role=Role.ESTABLISHMENT_OFFICE).distinct())
    _notify(recipients=users, kind=kind, title=title, body=body, url=_url(whistle.pk), obj=whistle)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# ---------------------------------------------------------------- attachments (core.attachments)


def validate_photos(uploads: Iterable[Any], field: str = "attachments", *, required: bool = False,
                    ) -> tuple[list[core_attachments.Checked], dict[str, list[str]]]:
    """Photos (JPEG, PNG or WebP by their first bytes, within the upload limits); messages under `field`."""
    return core_attachments.check(uploads, field=field, allowed=core_attachments.IMAGES, required=required)


def _store_photos(photos: list[core_attachments.Checked], *, whistle: Whistle, actor: Any, now: dt.datetime,
                  dispatch: Dispatch | None = None, note: DispatchNote | None = None) -> list[Attachment]:
    return [core_attachments.store(Attachment(whistle=whistle, dispatch=dispatch, note=note), photo,
                                   uploaded_by=actor, at=now) for photo in photos]


# ---------------------------------------------------------------- raise


def township_context(actor: Any) -> tuple[frozenset[int], int | None]:
    """(townships the user works in as township staff, the unit raising for them) — one query, the same rule as
    core.access.viewer_for for the township role (the raise path needs nothing else from the viewer)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return frozenset(), None
    cached = getattr(actor, "_tiaokuai_township_context", None)
    if cached is None:
        # In-process for WHISTLE_CACHE_SECONDS, like core.access.viewer_for: a membership change reaches the
        # raise path at most that much later.
        cached = _cached(("township", actor.pk), lambda: _township_context(actor.pk))
        actor._tiaokuai_township_context = cached
    return cached


def _township_context(user_id: int) -> tuple[frozenset[int], int | None]:
    township_ids: set[int] = set()
    org_id = None
    for m_org, org_kind, org_division, division, division_township in (
            Membership.objects.filter(person__user_id=user_id, role=Role.TOWNSHIP).order_by("id").values_list(
                "organisation_id", "organisation__kind", "organisation__division_id", "division_id",
                "division__township_id")):
        if division is not None:
            township_ids.add(division_township or division)
        elif org_kind == OrganisationKind.TOWNSHIP:
            township_ids.add(org_division)
        else:
            continue
        org_id = org_id or m_org
    return frozenset(township_ids), org_id


def _village(code: str) -> Division | None:
    """The village with its township's code (cached for WHISTLE_CACHE_SECONDS: villages are registry data)."""
    return _cached(("village", code), lambda: Division.objects.filter(code=code, level="village")
                   .select_related("township").only("pk", "township_id", "name", "township__code").first())


def _number(now: dt.datetime) -> str:
    """The next whistle number of the day (CS-YYYYMMDD-NNNN, Asia/Shanghai date), race-free: call inside the
    raise transaction. Continues after numbers stored before the day's counter row existed."""
    return numbering.next_number(NUMBER_PREFIX, now, used_in=(Whistle, "number"))


def _coordinate(value: Any, field: str, bound: int, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not -bound <= d <= bound:
        errors[field] = [_("Must be between -%(b)d and %(b)d.") % {"b": bound}]
        return None
    return d


def _new_dispatches(whistle: Whistle, plan: Sequence[tuple[Any, str, str, str]], minutes: tuple[int, int, int],
                    now: dt.datetime, *, decided_by_id: int | None,
                    deadlines: tuple[dt.datetime, ...] | None = None) -> list[Dispatch]:
    """plan: (organisation id, dispatch role, matter code, assignment role)."""
    respond_by, arrive_by, resolve_by = deadlines or step_deadlines(now, minutes, whistle.urgency)
    rows = [
        Dispatch(whistle=whistle, organisation_id=org_id, role=role, status=DispatchStatus.DISPATCHED,
                 dispatched_at=now, respond_by=respond_by, arrive_by=arrive_by, resolve_by=resolve_by,
                 next_check_at=respond_by, matter_code=matter_code, assignment_role=assignment_role,
                 decided_by_release_id=decided_by_id)
        for org_id, role, matter_code, assignment_role in plan
    ]
    created = Dispatch.objects.bulk_create(rows)
    if any(d.pk is None for d in created):
        created = list(Dispatch.objects.filter(whistle=whistle, dispatched_at=now).order_by("id"))
    return created


def whistle_raise(*, actor: Any, item_code: str | None, village_code: str, description: str,
                  urgency: str = Urgency.NORMAL, grid_code: str | None = None, address: str = "",
                  latitude: Any = None, longitude: Any = None, attachments: Iterable[Any] = ()) -> Whistle:
    """A township calls the county: one dispatch per body named by the lists in force, or (item None) a
    whistle "routing" that the establishment office routes by hand."""
    township_ids, raising_org_id = township_context(actor)
    if not township_ids:
        raise NotFound(_("Only township staff can raise a whistle."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("This field is required.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Urgency.values)}]
    village = _village(village_code or "")
    if village is None:
        errors["village"] = [_("Unknown village.")]
    elif village.township_id not in township_ids:
        errors["village"] = [_("This village is not in your township.")]
    grid = None
    if grid_code:
        grid = Division.objects.filter(code=grid_code, level="grid").only("pk", "parent_id").first()
        if grid is None or (village is not None and grid.parent_id != village.pk):
            errors["grid"] = [_("Unknown grid, or not a grid of this village.")]
    lat = _coordinate(latitude, "latitude", 90, errors)
    lng = _coordinate(longitude, "longitude", 180, errors)
    item_release_id, resp_release_id = releases_in_force(timezone.localdate(now))
    route = None
    if item_code:
        route = routes_for(item_release_id, resp_release_id).get(item_code)
        if route is None:
            errors["item"] = [_("Unknown whistle list item (not on the list in force).")]
    photos, photo_errors = validate_photos(attachments)
    errors.update(photo_errors)
    if errors:
        raise _invalid(errors)
    # Validated above: the village exists and lies in one of the actor's townships, so it has a township.
    if village is None or village.township_id is None or village.township is None:
        raise _invalid({"village": [_("Unknown village.")]})
    township_id: int = village.township_id
    township_code = village.township.code
    plan = dispatch_plan(route, township_id) if route is not None else []
    status = WhistleStatus.OPEN if plan else WhistleStatus.ROUTING
    # Everything that only reads happens before the write transaction (on SQLite BEGIN IMMEDIATE takes the
    # database's write lock): deadlines, recipients. The transaction itself is a handful of INSERTs.
    deadlines = step_deadlines(now, route.minutes[urgency], urgency) if plan and route else None
    recipients = department_staff([b.organisation_id for b, _r in plan]) if plan else []
    with transaction.atomic():
        whistle = _insert_whistle(actor, now, plan, route, status, item_code, item_release_id, resp_release_id,
                                  village, township_id, grid, raising_org_id, address, lat, lng, description,
                                  urgency, photos, deadlines, recipients)
    # What the API answer needs, already known (no extra queries on the hot path).
    whistle._org_names = {b.organisation_id: (b.code, b.name) for b, _r in plan}  # type: ignore[attr-defined]
    whistle._names = {  # type: ignore[attr-defined]
        "item": item_code if route else None, "item_name": route.name if route else None, "village": village_code,
        "township": township_code, "grid": grid_code if grid else None, "raised_by": actor.username}
    return whistle


def _insert_whistle(actor: Any, now: dt.datetime, plan: list, route: Route | None, status: str, item_code: Any,
                    item_release_id: Any, resp_release_id: Any, village: Division, township_id: int,
                    grid: Division | None, raising_org_id: Any, address: str, lat: Any, lng: Any, description: str,
                    urgency: str, photos: list, deadlines: Any, recipients: list) -> Whistle:
    whistle = Whistle(
        status=status, item_id=route.item_id if route else None,
        item_release_id=item_release_id if route else None, responsibility_release_id=resp_release_id,
        township_id=township_id, village=village, grid=grid, raised_by=actor,
        raising_org_id=raising_org_id, address=(address or "")[:200], latitude=lat, longitude=lng,
        description=description, urgency=urgency, raised_at=now,
    )
    whistle.number = _number(now)  # inside the transaction: the counter row stays locked until commit
    whistle.save(force_insert=True)
    dispatches = []
    if plan:
        assert route is not None
        dispatches = _new_dispatches(
            whistle, [(b.organisation_id, role, route.matter_code, b.role) for b, role in plan],
            route.minutes[urgency], now, decided_by_id=resp_release_id, deadlines=deadlines)
    if photos:
        _store_photos(photos, whistle=whistle, actor=actor, now=now)
    codes = {b.organisation_id: b.code for b, _r in plan}
    audit.log(actor=actor, action="whistles.raise", obj=whistle, after={
        "number": whistle.number, "status": status, "item": item_code or None, "urgency": urgency,
        "item_release": whistle.item_release_id, "responsibility_release": resp_release_id,
        "dispatches": [{"id": d.pk, "organisation": codes[d.organisation_id], "role": d.role} for d in dispatches],
    })
    if dispatches and recipients:
        # Inside the same transaction (one commit instead of two); delivery starts after the commit.
        _notify(recipients=recipients, kind="whistles.dispatch",
                title=_("Whistle %(number)s: %(item)s") % {"number": whistle.number, "item": route.name if route else ""},
                body=description[:500], url=_url(whistle.pk), obj=whistle)
    whistle._new_dispatches = dispatches  # type: ignore[attr-defined]
    return whistle


@transaction.atomic
def whistle_route_manually(*, actor: Any, whistle_id: Any, lead_code: str, assist_codes: list[str]) -> Whistle:
    """The establishment office routes a whistle that is not on the list."""
    whistle = access_whistle(actor, whistle_id, "office")
    if whistle.status != WhistleStatus.ROUTING:
        raise Conflict(_("This whistle has already been routed."), code="invalid_transition")
    codes = [lead_code or ""] + [c for c in (assist_codes or []) if c]
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=codes, is_active=True)}
    errors: dict[str, list[str]] = {}
    if lead_code not in orgs:
        errors["lead"] = [_("Unknown organisation.")]
    unknown = [c for c in codes[1:] if c not in orgs]
    if unknown:
        errors["assist"] = [_("Unknown organisation: %(codes)s.") % {"codes": ", ".join(unknown)}]
    if len(set(codes)) != len(codes):
        errors.setdefault("assist", []).append(_("Each body can be called only once."))
    own = [c for c in codes if c in orgs and orgs[c].kind == OrganisationKind.TOWNSHIP
           and orgs[c].division_id == whistle.township_id]
    if own:
        errors.setdefault("lead" if lead_code in own else "assist", []).append(
            _("The raising township cannot be called by its own whistle."))
    if errors:
        raise _invalid(errors)
    orgs_by_pk = {o.pk: o.code for o in orgs.values()}
    now = timezone.now()
    minutes = whistle.item.minutes(whistle.urgency) if whistle.item else DEFAULT_MINUTES[Urgency(whistle.urgency)]
    plan = [(orgs[lead_code].pk, DispatchRole.LEAD, "", AssignmentRole.MANUAL)] + [
        (orgs[c].pk, DispatchRole.ASSIST, "", AssignmentRole.MANUAL) for c in codes[1:]]
    # Claim the whistle first (compare-and-set): two office clerks routing at once get one 409.
    WHISTLE.apply("route", whistle, actor=actor, after={"lead": lead_code, "assist": codes[1:]})
    dispatches = _new_dispatches(whistle, plan, minutes, now, decided_by_id=None)
    audit.log(actor=actor, action="whistles.dispatch", obj=whistle,
              after={"dispatches": [{"id": d.pk, "organisation": orgs_by_pk[d.organisation_id], "role": d.role}
                                    for d in dispatches]})
    _notify_departments(whistle, [o.pk for o in orgs.values()], kind="whistles.dispatch",
                        title=_("Whistle %(number)s") % {"number": whistle.number}, body=whistle.description[:500])
    return whistle


# ---------------------------------------------------------------- department steps


def _dispatch_for(actor: Any, dispatch_id: Any, name: str) -> Dispatch:
    """The dispatch, if the actor handles it and the workflow table allows `name` in its status."""
    dispatch = access_dispatch(actor, dispatch_id, "act")
    DISPATCH.check(name, dispatch.status)
    return dispatch


def _on(d: Dispatch, **after: Any) -> dict[str, Any]:
    """The `after` of a dispatch's audit event (written on its whistle, so one timeline tells the story)."""
    return {"dispatch": d.pk, "organisation": d.organisation.code if d.organisation_id else None, **after}


@transaction.atomic
def dispatch_respond(*, actor: Any, dispatch_id: Any) -> Dispatch:
    """The department takes the dispatch (接单)."""
    d = _dispatch_for(actor, dispatch_id, "respond")
    now = timezone.now()
    nxt = next_check(_values(d, status=DispatchStatus.RESPONDED, responded_at=now))
    DISPATCH.apply("respond", d, actor=actor, audit_on=d.whistle, after=_on(d, late=now > d.respond_by),
                   responded_at=now, next_check_at=nxt)
    return d


@transaction.atomic
def dispatch_arrive(*, actor: Any, dispatch_id: Any, people: str, arrived_at: dt.datetime | None = None) -> Dispatch:
    """The department reports on site (报到): who came and when."""
    d = _dispatch_for(actor, dispatch_id, "arrive")
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    people = (people or "").strip()
    if not people:
        errors["people"] = [_("Say who came.")]
    if arrived_at is not None:
        if timezone.is_naive(arrived_at):
            arrived_at = timezone.make_aware(arrived_at)
        if arrived_at > now + dt.timedelta(minutes=5):
            errors["arrived_at"] = [_("The arrival time cannot be in the future.")]
        elif arrived_at < d.dispatched_at:
            errors["arrived_at"] = [_("The arrival time cannot be before the dispatch.")]
    if errors:
        raise _invalid(errors)
    at = min(arrived_at or now, now)
    nxt = next_check(_values(d, status=DispatchStatus.ARRIVED, arrived_at=at))
    DISPATCH.apply("arrive", d, actor=actor, audit_on=d.whistle,
                   after=_on(d, people=people[:300], arrived_at=at.isoformat(), late=at > d.arrive_by),
                   arrived_at=at, arrival_people=people[:300], next_check_at=nxt)
    return d


@transaction.atomic
def dispatch_add_note(*, actor: Any, dispatch_id: Any, text: str, attachments: Iterable[Any] = ()) -> DispatchNote:
    """A progress note (with photos) on an active dispatch."""
    d = access_dispatch(actor, dispatch_id, "act")
    if d.status not in DISPATCH.action("note").sources or d.whistle.status == WhistleStatus.CLOSED:
        raise Conflict(_("Notes cannot be added to a withdrawn dispatch or a closed whistle."),
                       code="invalid_transition")
    text = (text or "").strip()
    photos, errors = validate_photos(attachments)
    if not text:
        errors["text"] = [_("This field is required.")]
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    note = DispatchNote.objects.create(dispatch=d, author=actor, text=text, at=now)
    stored = _store_photos(photos, whistle=d.whistle, actor=actor, now=now, dispatch=d, note=note)
    DISPATCH.apply("note", d, actor=actor, audit_on=d.whistle,
                   after=_on(d, note=note.pk, text=text[:200], attachments=len(stored)))
    return note


@transaction.atomic
def dispatch_resolve(*, actor: Any, dispatch_id: Any, outcome: str, note: str = "") -> Dispatch:
    """The department finishes its part with an outcome; when every active dispatch is resolved the whistle
    waits for the township ("resolved")."""
    d = _dispatch_for(actor, dispatch_id, "resolve")
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Outcome.values)}]
    elif outcome in OUTCOMES_NEEDING_NOTE and not note:
        errors["note"] = [_("Say why (and to whom it was referred).")]
    if errors:
        raise _invalid(errors)
    # Serialise the resolutions of one whistle (PostgreSQL; SQLite writers are serialised anyway).
    whistle = Whistle.objects.select_for_update().get(pk=d.whistle_id)
    now = timezone.now()
    d.whistle = whistle
    DISPATCH.apply("resolve", d, actor=actor, audit_on=whistle,
                   after=_on(d, outcome=outcome, note=note[:500], late=now > d.resolve_by),
                   outcome=outcome, outcome_note=note, resolved_at=now, next_check_at=None)
    still_open = (Dispatch.objects.filter(whistle_id=whistle.pk).exclude(
        status__in=[DispatchStatus.RESOLVED, DispatchStatus.WITHDRAWN]).exists())
    if not still_open and whistle.status == WhistleStatus.OPEN:
        WHISTLE.apply("all_resolved", whistle, actor=actor, resolved_at=now)
        _notify_township(whistle, kind="whistles.resolved",
                         title=_("Whistle %(number)s is resolved; please confirm") % {"number": whistle.number})
    return d


# ---------------------------------------------------------------- disputes


@transaction.atomic
def dispatch_dispute(*, actor: Any, dispatch_id: Any, reason: str) -> Dispute:
    """"Not ours": the department cites the list; its clocks stop until the office decides."""
    d = _dispatch_for(actor, dispatch_id, "dispute")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("Give the reason, citing the list.")]})
    now = timezone.now()
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(dispatch=d, raised_by=actor, raised_at=now, reason=reason)
    except IntegrityError as exc:  # another "not ours" on the same dispatch got in first
        raise Conflict(_("This dispatch is already disputed."), code="state_conflict") from exc
    DISPATCH.apply("dispute", d, actor=actor, audit_on=d.whistle,
                   after=_on(d, dispute=dispute.pk, reason=reason[:500]),
                   next_check_at=None, **dispatch_kernel.pause(d.status, now))
    _notify_office(d.whistle, kind="whistles.dispute",
                   title=_("Dispute on whistle %(number)s") % {"number": d.whistle.number}, body=reason[:500])
    return dispute


@transaction.atomic
def dispute_decide(*, actor: Any, dispute_id: Any, decision: str, organisation_code: str | None = None,
                   note: str = "") -> Dispute:
    """The establishment office arbitrates: keep (the dispatch goes back to where it was and its pending
    deadlines move by the paused time) or reroute (the dispatch is withdrawn and a new one, with fresh
    deadlines, goes to the right body)."""
    dispute = access_dispute(actor, dispute_id)
    if dispute.status not in DISPUTE.action("keep").sources:
        raise Conflict(_("This dispute has already been decided."), code="invalid_transition")
    d = dispute.dispatch
    whistle = d.whistle
    errors: dict[str, list[str]] = {}
    if decision not in DisputeDecision.values:
        errors["decision"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(DisputeDecision.values)}]
    new_org = None
    if decision == DisputeDecision.REROUTE:
        new_org = Organisation.objects.filter(code=organisation_code or "", is_active=True).first()
        if new_org is None:
            errors["organisation"] = [_("Unknown organisation.")]
        elif new_org.pk == d.organisation_id:
            errors["organisation"] = [_("Choose a body other than the one disputing.")]
        elif new_org.kind == OrganisationKind.TOWNSHIP and new_org.division_id == whistle.township_id:
            errors["organisation"] = [_("The raising township cannot be called by its own whistle.")]
        elif Dispatch.objects.filter(whistle=whistle, organisation=new_org).exclude(
                status=DispatchStatus.WITHDRAWN).exists():
            errors["organisation"] = [_("This body is already called on this whistle.")]
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    note = (note or "").strip()
    if decision == DisputeDecision.KEEP:
        back = d.status_before_dispute or DispatchStatus.DISPATCHED
        paused, resumed = dispatch_kernel.resume(DISPATCH_CLOCKS, d, now, step_unit(whistle.urgency))
        shifted = {s.due_field: resumed[s.due_field] for s in DISPATCH_CLOCKS.steps}
        nxt = next_check(_values(d, status=back, **resumed))
        DISPATCH.apply("keep", d, actor=actor, target=back, audit_on=whistle,
                       after=_on(d, dispute=dispute.pk, paused_minutes=paused, note=note[:500],
                                 **{k: v.isoformat() for k, v in shifted.items()}),
                       next_check_at=nxt, **resumed)
        DISPUTE.apply("keep", dispute, actor=actor, after={"note": note[:500]}, decided_by=actor, decided_at=now,
                      decision_note=note)
        _notify_departments(whistle, [d.organisation_id], kind="whistles.dispute_decided",
                            title=_("Dispute on whistle %(number)s: kept with your department")
                            % {"number": whistle.number})
    else:
        assert new_org is not None
        DISPATCH.apply("reroute", d, actor=actor, audit_on=whistle,
                       after=_on(d, dispute=dispute.pk, new_organisation=new_org.code, note=note[:500]),
                       paused_since=None, next_check_at=None)
        minutes = (whistle.item.minutes(whistle.urgency) if whistle.item_id and whistle.item
                   else DEFAULT_MINUTES[Urgency(whistle.urgency)])
        (new,) = _new_dispatches(whistle, [(new_org.pk, d.role, d.matter_code, d.assignment_role)], minutes, now,
                                 decided_by_id=d.decided_by_release_id)
        Dispatch.objects.filter(pk=new.pk).update(replaces=d)
        DISPUTE.apply("reroute", dispute, actor=actor,
                      after={"new_organisation": new_org.code, "new_dispatch": new.pk, "note": note[:500]},
                      decided_by=actor, decided_at=now, decision_note=note, new_organisation=new_org,
                      new_dispatch=new)
        audit.log(actor=actor, action="whistles.dispatch", obj=whistle, after={
            "dispatches": [{"id": new.pk, "organisation": new_org.code, "role": new.role}], "replaces": d.pk})
        _notify_departments(whistle, [new_org.pk], kind="whistles.dispatch",
                            title=_("Whistle %(number)s (rerouted to you)") % {"number": whistle.number},
                            body=whistle.description[:500])
    dispute.refresh_from_db()
    return dispute


# ---------------------------------------------------------------- township


@transaction.atomic
def whistle_confirm(*, actor: Any, whistle_id: Any) -> Whistle:
    whistle = access_whistle(actor, whistle_id, "township")
    WHISTLE.apply("confirm", whistle, actor=actor, confirmed_at=timezone.now())
    return whistle


def _reopen_dispatches(actor: Any, whistle: Whistle, dispatches: list[Dispatch], now: dt.datetime) -> list[int]:
    """Resolved dispatches back to "responded": they must come again (报到) and resolve, with fresh
    arrive/resolve deadlines from now. Escalation levels already used stay used."""
    minutes = (whistle.item.minutes(whistle.urgency) if whistle.item_id and whistle.item
               else DEFAULT_MINUTES[Urgency(whistle.urgency)])
    fresh = dispatch_kernel.restart(DISPATCH_CLOCKS, step_specs(minutes, whistle.urgency), now, from_step="arrive")
    reopened = []
    for d in dispatches:
        nxt = next_check(_values(d, urgency=whistle.urgency, status=DispatchStatus.RESPONDED, **fresh))
        DISPATCH.apply("reopen", d, actor=actor, audit_on=whistle, after=_on(d),
                       arrival_people="", resolved_at=None, outcome="", outcome_note="", next_check_at=nxt, **fresh)
        reopened.append(d.pk)
    return reopened


@transaction.atomic
def whistle_return(*, actor: Any, whistle_id: Any, reason: str, dispatch_ids: list[int] | None = None) -> Whistle:
    """The township is not satisfied (退回): the named dispatches (default: all resolved ones) reopen."""
    whistle = access_whistle(actor, whistle_id, "township")
    if whistle.status not in WHISTLE.action("return").sources:
        raise Conflict(_("Only a resolved whistle can be returned."), code="invalid_transition")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("This field is required.")]
    resolved = {d.pk: d for d in whistle.dispatches.filter(status=DispatchStatus.RESOLVED)}
    if dispatch_ids:
        wanted = [int(i) for i in dispatch_ids if str(i).lstrip("-").isdigit()]
        if len(wanted) != len(dispatch_ids) or any(i not in resolved for i in wanted):
            errors["dispatches"] = [_("Choose resolved dispatches of this whistle.")]
    else:
        wanted = sorted(resolved)
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    WHISTLE.apply("return", whistle, actor=actor, after={"reason": reason[:500], "dispatches": wanted},
                  resolved_at=None, return_count=whistle.return_count + 1)
    _reopen_dispatches(actor, whistle, [resolved[i] for i in wanted], now)
    _notify_departments(whistle, [resolved[i].organisation_id for i in wanted], kind="whistles.returned",
                        title=_("Whistle %(number)s was returned by the township") % {"number": whistle.number},
                        body=reason[:500])
    return whistle


def _score(value: Any) -> int | None:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return v if 1 <= v <= 5 else None


@transaction.atomic
def whistle_rate(*, actor: Any, whistle_id: Any, ratings: list[Mapping[str, Any]]) -> list[Rating]:
    """The township rates each department's response (speed, attitude, result 1–5), once per dispatch,
    after confirming (also after closing). Rating is optional for closing."""
    whistle = access_whistle(actor, whistle_id, "township")
    if whistle.status not in WHISTLE.action("rate").sources:
        raise Conflict(_("Rate the departments after confirming the result."), code="invalid_transition")
    dispatches = {d.pk: d for d in whistle.dispatches.exclude(status=DispatchStatus.WITHDRAWN)
                  .select_related("organisation")}
    rated = set(Rating.objects.filter(dispatch_id__in=list(dispatches)).values_list("dispatch_id", flat=True))
    errors: dict[str, list[str]] = {}
    if not ratings:
        errors["ratings"] = [_("This field is required.")]
    rows, seen = [], set()
    now = timezone.now()
    for i, r in enumerate(ratings or []):
        key = f"ratings.{i}"
        did = r.get("dispatch_id", r.get("dispatch"))
        try:
            did = int(did)
        except (TypeError, ValueError):
            did = None
        if did not in dispatches or did in seen:
            errors[f"{key}.dispatch_id"] = [_("Choose a dispatch of this whistle (each once).")]
            continue
        seen.add(did)
        if did in rated:
            raise Conflict(_("%(org)s has already been rated for this whistle.")
                           % {"org": dispatches[did].organisation.name}, code="already_rated")
        scores = {f: _score(r.get(f)) for f in ("speed", "attitude", "result")}
        for f, v in scores.items():
            if v is None:
                errors[f"{key}.{f}"] = [_("Give a score from 1 to 5.")]
        if all(v is not None for v in scores.values()):
            rows.append(Rating(dispatch_id=did, comment=str(r.get("comment") or "")[:2000], rated_by=actor, at=now,
                               **scores))
    if errors:
        raise _invalid(errors)
    try:
        with transaction.atomic():
            created = Rating.objects.bulk_create(rows)
    except IntegrityError as exc:  # someone rated the same dispatch at the same moment
        raise Conflict(_("This dispatch has already been rated."), code="already_rated") from exc
    WHISTLE.apply("rate", whistle, actor=actor, after={"ratings": [
        {"dispatch": r.dispatch_id, "organisation": dispatches[r.dispatch_id].organisation.code, "speed": r.speed,
         "attitude": r.attitude, "result": r.result} for r in rows]})
    return created


@transaction.atomic
def whistle_close(*, actor: Any, whistle_id: Any) -> Whistle:
    whistle = access_whistle(actor, whistle_id, "township")
    WHISTLE.apply("close", whistle, actor=actor, closed_at=timezone.now())
    return whistle


@transaction.atomic
def whistle_reopen(*, actor: Any, whistle_id: Any, reason: str) -> Whistle:
    """Reopen a closed whistle within WHISTLE_REOPEN_DAYS days (the problem came back)."""
    whistle = access_whistle(actor, whistle_id, "township")
    if whistle.status not in WHISTLE.action("reopen").sources:
        raise Conflict(_("Only a closed whistle can be reopened."), code="invalid_transition")
    now = timezone.now()
    if whistle.closed_at and now > whistle.closed_at + dt.timedelta(days=reopen_days()):
        raise Conflict(_("A whistle can be reopened only within %(days)d days of closing.") % {"days": reopen_days()},
                       code="reopen_expired")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("This field is required.")]})
    resolved = list(whistle.dispatches.filter(status=DispatchStatus.RESOLVED))
    WHISTLE.apply("reopen", whistle, actor=actor, after={"reason": reason[:500], "dispatches": [d.pk for d in resolved]},
                  closed_at=None, confirmed_at=None, resolved_at=None, reopen_count=whistle.reopen_count + 1)
    _reopen_dispatches(actor, whistle, resolved, now)
    _notify_departments(whistle, [d.organisation_id for d in resolved], kind="whistles.reopened",
                        title=_("Whistle %(number)s was reopened") % {"number": whistle.number}, body=reason[:500])
    return whistle


@transaction.atomic
def whistle_attach(*, actor: Any, whistle_id: Any, files: Iterable[Any], dispatch_id: Any = None) -> list[Attachment]:
    """Add photos to a whistle (the raising township, or a department called on it)."""
    viewer = viewer_for(actor)
    whistle = access_whistle(actor, whistle_id, "view")
    dispatch = None
    if dispatch_id not in (None, ""):
        dispatch = access_dispatch(actor, dispatch_id, "act")
        if dispatch.whistle_id != whistle.pk:
            raise NotFound(_("Dispatch not found."))
    elif not (Role.TOWNSHIP in viewer.roles and whistle.township_id in viewer.township_ids):
        mine = whistle.dispatches.filter(handled_q(viewer)).exclude(
            status=DispatchStatus.WITHDRAWN).first()
        if mine is None:  # only the raising township and the departments called may add photos
            raise NotFound(_("Whistle not found."))
        dispatch = mine
    if whistle.status not in WHISTLE.action("attach").sources:
        raise Conflict(_("A closed whistle cannot take new photos."), code="invalid_transition")
    photos, errors = validate_photos(files, "files", required=True)
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    stored = _store_photos(photos, whistle=whistle, actor=actor, now=now, dispatch=dispatch)
    WHISTLE.apply("attach", whistle, actor=actor,
                  after={"attachments": [a.pk for a in stored], "dispatch": dispatch.pk if dispatch else None})
    return stored


# ---------------------------------------------------------------- list releases (duties hooks)


def copy_items(old: ListRelease | None, new: ListRelease) -> None:
    """Copy the whistle items of the published version into a new draft of the whistle list."""
    if old is None:
        return
    fields = [f.name for f in WhistleItem._meta.concrete_fields if f.name not in ("id", "release")]
    WhistleItem.objects.bulk_create([
        WhistleItem(release=new, **{f: getattr(i, f) for f in fields if f != "domain"}, domain_id=i.domain_id)
        for i in WhistleItem.objects.filter(release=old)
    ])


def publish_problems(release: ListRelease) -> dict[str, list[str]]:
    """Why a draft of the whistle list may not be published: items resting on matters that the responsibility
    list in force does not have, or deadlines out of order."""
    problems: dict[str, list[str]] = {}
    resp = (ListRelease.objects.filter(kind=ListKind.RESPONSIBILITY, status=ReleaseStatus.PUBLISHED)
            .order_by("-effective_from").first())
    known = set(Matter.objects.filter(release=resp).values_list("code", flat=True)) if resp else set()
    for item in WhistleItem.objects.filter(release=release).order_by("code"):
        msgs = []
        if item.matter_code and item.matter_code not in known:
            msgs.append(_("Item %(code)s rests on matter %(matter)s, which is not on the responsibility list.")
                        % {"code": item.code, "matter": item.matter_code})
        for u in Urgency.values:
            r, a, s = item.minutes(u)
            if not (0 < r <= a <= s):
                msgs.append(_("Item %(code)s: the %(urgency)s deadlines must be respond ≤ arrive ≤ resolve.")
                            % {"code": item.code, "urgency": u})
        if msgs:
            problems[f"items.{item.code}"] = msgs
    return problems


# ---------------------------------------------------------------- items of a whistle-list draft

ITEM_FIELDS = ["name", "domain", "whistle_class", "trigger", "matter_code"] + [
    f"{step}_minutes_{u}" for step in ("respond", "arrive", "resolve") for u in Urgency.values]


def _draft_of_whistle_list(actor: Any, release_id: Any) -> ListRelease:
    from tiaokuai.duties.access import access_release, require_list_editor

    require_list_editor(actor)
    release = access_release(actor, release_id, "edit")
    if release.kind != ListKind.WHISTLE:
        raise NotFound(_("Not found."))
    if release.status != ReleaseStatus.DRAFT:
        raise Conflict(_("This version is already published and cannot be changed."), code="release_published")
    return release


@transaction.atomic
def whistle_item_save(*, actor: Any, release_id: Any, code: str, data: Mapping[str, Any]) -> WhistleItem:
    """Create or change an item (by code) in a draft of the whistle list (the establishment office)."""
    from django.core.exceptions import ValidationError

    from tiaokuai.org.models import Domain

    release = _draft_of_whistle_list(actor, release_id)
    code = (code or "").strip()
    item = WhistleItem.objects.filter(release=release, code=code).first() or WhistleItem(release=release, code=code)
    before = audit.snapshot(item, ITEM_FIELDS[1:]) if item.pk else None
    errors: dict[str, list[str]] = {}
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "domain":
            domain = Domain.objects.filter(code=value).first() if isinstance(value, str) else \
                Domain.objects.filter(pk=getattr(value, "pk", value)).first()
            if domain is None:
                errors["domain"] = [_("Unknown domain.")]
            else:
                item.domain = domain
        else:
            setattr(item, name, value if value is not None else "")
    try:
        item.full_clean(exclude=["release", "domain"] if "domain" in errors else ["release"])
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    for u in Urgency.values:
        r, a, s = item.minutes(u)
        if not (0 < int(r) <= int(a) <= int(s)):
            errors.setdefault(f"resolve_minutes_{u}", []).append(
                _("The deadlines must be respond ≤ arrive ≤ resolve."))
    if errors:
        raise _invalid(errors)
    item.save()
    audit.log(actor=actor, action="whistles.item.save", obj=release, before=before,
              after={"code": code, **audit.snapshot(item, ITEM_FIELDS[1:])})
    return item


@transaction.atomic
def whistle_item_delete(*, actor: Any, release_id: Any, code: str) -> None:
    release = _draft_of_whistle_list(actor, release_id)
    item = WhistleItem.objects.filter(release=release, code=code).first()
    if item is None:
        raise NotFound(_("Not found."))
    audit.log(actor=actor, action="whistles.item.delete", obj=release, before={"code": code, "name": item.name})
    item.delete()
