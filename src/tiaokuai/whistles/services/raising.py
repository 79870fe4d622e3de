"""Raising a whistle (a township) and routing one by hand (the establishment office)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit, inserts, numbering
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.core.location import latitude_longitude
from tiaokuai.org.choices import OrganisationKind, Role
from tiaokuai.org.models import Division, Membership, Organisation

from ..access import access_whistle
from ..choices import (
    DEFAULT_MINUTES,
    AssignmentRole,
    DispatchRole,
    DispatchStatus,
    Urgency,
    WhistleStatus,
)
from ..models import (
    Dispatch,
    Whistle,
)
from ..workflows import WHISTLE
from . import counts
from .base import (
    NUMBER_PREFIX,
    _invalid,
    _notify,
    _notify_departments,
    _store_photos,
    _url,
    department_staff,
    step_deadlines,
    validate_photos,
)
from .routes import Route, _cached, dispatch_plan, releases_in_force, routes_for

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


def _number(now: dt.datetime) -> numbering.Numbered:
    """The next whistle number of the day (CS-YYYYMMDD-NNNN, Asia/Shanghai date), given by the whistle's own INSERT
    (core.numbering.numbered), race-free inside the raise transaction."""
    return numbering.numbered(NUMBER_PREFIX, now, (Whistle, "number"))


def _new_dispatches(whistle: Whistle, plan: Sequence[tuple[Any, str, str, str]], minutes: tuple[int, int, int],
                    now: dt.datetime, *, decided_by_id: int | None,
                    deadlines: tuple[dt.datetime, ...] | None = None, new_whistle: bool = False) -> list[Dispatch]:
    """plan: (organisation id, dispatch role, matter code, assignment role). On a whistle already stored (route,
    reroute) the board's counts gain the scopes the new bodies add (the raise counts its own, whistle_added)."""
    before = None if new_whistle else counts.keys_before(whistle)
    respond_by, arrive_by, resolve_by = deadlines or step_deadlines(now, minutes, whistle.urgency)
    rows = [
        Dispatch(whistle=whistle, organisation_id=org_id, role=role, status=DispatchStatus.DISPATCHED,
                 dispatched_at=now, respond_by=respond_by, arrive_by=arrive_by, resolve_by=resolve_by,
                 next_check_at=respond_by, matter_code=matter_code, assignment_role=assignment_role,
                 decided_by_release_id=decided_by_id)
        for org_id, role, matter_code, assignment_role in plan
    ]
    if new_whistle:
        created = inserts.insert_many(rows)  # one INSERT … RETURNING, built once per model (core.inserts)
    else:
        try:
            with transaction.atomic():
                created = inserts.insert_many(rows)
        except IntegrityError as exc:  # another routing or reroute called the same body at the same moment
            raise Conflict(_("This body is already called on this whistle."), code="already_called") from exc
    if before is not None:
        counts.dispatches_added(whistle, before, [org_id for org_id, *_rest in plan])
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
    lat, lng = latitude_longitude(latitude, longitude, errors)
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
        # Every dispatch starts on its respond step: the earliest running deadline (services.counts, ADR 0020).
        overdue_from=deadlines[0] if plan and deadlines else None,
    )
    inserts.insert(whistle, number=_number(now))  # no lock held to commit (ADR 0017)
    dispatches = []
    if plan:
        assert route is not None
        dispatches = _new_dispatches(
            whistle, [(b.organisation_id, role, route.matter_code, b.role) for b, role in plan],
            route.minutes[urgency], now, decided_by_id=resp_release_id, deadlines=deadlines,
            new_whistle=True)
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
