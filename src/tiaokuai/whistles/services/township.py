"""The township's side: confirm, return, rate, close, reopen, add photos."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import dispatch as dispatch_kernel
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.org.choices import Role

from ..access import access_dispatch, access_whistle, handled_q
from ..choices import (
    DEFAULT_MINUTES,
    DispatchStatus,
    Urgency,
)
from ..clocks import DISPATCH_CLOCKS, step_specs
from ..models import (
    Attachment,
    Dispatch,
    Rating,
    Whistle,
)
from ..workflows import DISPATCH, WHISTLE
from .base import (
    _invalid,
    _notify_departments,
    _store_photos,
    _values,
    next_check,
    reopen_days,
    validate_photos,
)
from .steps import _on

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
