"""A body's steps on its dispatch: respond (接单), arrive (报到), progress notes, resolve."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.errors import Conflict

from ..access import access_dispatch
from ..choices import (
    OUTCOMES_NEEDING_NOTE,
    DispatchStatus,
    Outcome,
    WhistleStatus,
)
from ..models import (
    Dispatch,
    DispatchNote,
    Whistle,
)
from ..workflows import DISPATCH, WHISTLE
from .base import _invalid, _notify_township, _store_photos, _values, next_check, validate_photos

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
    _notify_township(d.whistle, kind="whistles.responded",
                     title=_("Whistle %(number)s: %(body)s has taken it") % {
                         "number": d.whistle.number, "body": d.organisation.name})
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
    _notify_township(d.whistle, kind="whistles.arrived",
                     title=_("Whistle %(number)s: %(body)s is on site (%(people)s)") % {
                         "number": d.whistle.number, "body": d.organisation.name, "people": people[:100]})
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
