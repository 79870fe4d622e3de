"""Shared by the whistle services: settings, the clocks' helpers, telling people, photos, errors."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core import clocks, worktime
from tiaokuai.core.errors import Invalid
from tiaokuai.org.choices import Role
from tiaokuai.org.models import Membership

from ..choices import (
    Urgency,
)
from ..clocks import DISPATCH_CLOCKS, step_specs, step_unit
from ..models import (
    Attachment,
    Dispatch,
    DispatchNote,
    Whistle,
)
from .routes import _cached

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
    from ..sweeps import LADDER  # the ladder tells people through these services' helpers

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
