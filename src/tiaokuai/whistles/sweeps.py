"""The escalation sweep ("whistles.escalate"), run every minute by the worker.

A tick with nothing due is one indexed query (next_check_at <= now). Due dispatches are processed in
chunks inside a transaction (rows claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
writers are serialised by BEGIN IMMEDIATE): levels are computed in Python, Escalation and AuditEvent
rows are bulk-inserted, dispatches are updated in a few grouped UPDATEs, and one notification per
(department, level) lists that department's overdue whistles. See docs/adr/0004.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from tiaokuai.core import worktime
from tiaokuai.core.middleware import current_request_id
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.choices import Role

from . import services
from .choices import MAX_ESCALATION_LEVEL, EscalationKind
from .models import Dispatch, Escalation, Whistle

CHUNK = 2000
FIELDS = ["id", "whistle_id", "organisation_id", "status", "paused_since", "responded_at", "arrived_at",
          "respond_by", "arrive_by", "resolve_by", "escalation_level", "escalated_at", "next_check_at",
          "whistle__urgency", "whistle__number"]


def register() -> None:
    from tiaokuai.core import sweeps

    sweeps.register("whistles.escalate")(escalate)


def _overdue_minutes(due: dt.datetime, now: dt.datetime, urgency: str) -> int:
    if services.is_natural(urgency):
        return max(0, int((now - due).total_seconds() // 60))
    return max(0, worktime.working_minutes_between(due, now))


def escalate(now: dt.datetime) -> dict[str, int]:
    if not Dispatch.objects.filter(next_check_at__lte=now).values_list("id", flat=True)[:1]:
        return {"escalated": 0}
    counts: dict[str, int] = defaultdict(int)
    # (organisation id or None for supervision, level) → [(whistle number, kind)]
    outbox: dict[tuple[int | None, int], list[tuple[str, str, int]]] = defaultdict(list)
    interval_end = worktime.add_working_minutes(now, services.escalation_interval_minutes())
    interval_cache: dict[dt.datetime, dt.datetime] = {now: interval_end}
    for _round in range(10_000):
        done = _chunk(now, interval_cache, counts, outbox)
        if done == 0:
            break
    if outbox:
        _send(outbox)
    counts["escalated"] += 0
    return dict(counts)


def _interval_end(at: dt.datetime, cache: dict[dt.datetime, dt.datetime]) -> dt.datetime:
    hit = cache.get(at)
    if hit is None:
        hit = cache[at] = worktime.add_working_minutes(at, services.escalation_interval_minutes())
    return hit


@transaction.atomic
def _chunk(now: dt.datetime, cache: dict, counts: dict[str, int], outbox: dict) -> int:
    qs = Dispatch.objects.filter(next_check_at__lte=now).select_for_update(skip_locked=True).values(*FIELDS)
    rows = list(qs[:CHUNK])
    if not rows:
        return 0
    escalations, events, supervised = [], [], set()
    groups: dict[tuple[int, dt.datetime | None, dt.datetime | None], list[int]] = defaultdict(list)
    request_id = current_request_id()
    for d in rows:
        level, escalated_at = d["escalation_level"], d["escalated_at"]
        step = services.pending_step(d)
        if step is not None and level < MAX_ESCALATION_LEVEL and step[1] <= now and (
                level == 0 or escalated_at is None or _interval_end(escalated_at, cache) <= now):
            kind, due = step
            level += 1
            escalated_at = now
            minutes = _overdue_minutes(due, now, d["whistle__urgency"])
            escalations.append(Escalation(dispatch_id=d["id"], level=level, kind=kind, at=now,
                                          overdue_minutes=minutes))
            events.append(AuditEvent(
                at=now, actor=None, action="whistles.escalate", object_type="whistles.whistle",
                object_id=str(d["whistle_id"]), object_repr=d["whistle__number"][:200],
                before={"escalation_level": level - 1},
                after={"dispatch": d["id"], "escalation_level": level, "kind": kind, "overdue_minutes": minutes},
                request_id=request_id,
            ))
            outbox[(d["organisation_id"] if level < 3 else None, level)].append(
                (d["whistle__number"], kind, d["organisation_id"]))
            if level == 3:
                supervised.add(d["whistle_id"])
            counts[f"level_{level}"] += 1
            counts["escalated"] += 1
        state = dict(d, escalation_level=level, escalated_at=escalated_at)
        nxt = services.next_check(state, interval_end=_interval_end(escalated_at, cache) if escalated_at else None)
        if nxt is not None and nxt <= now:  # never look at the same row twice in one tick
            nxt = cache.get(now) or _interval_end(now, cache)
        groups[(level, escalated_at, nxt)].append(d["id"])
    Escalation.objects.bulk_create(escalations, batch_size=1000)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    for (level, escalated_at, nxt), ids in groups.items():
        for i in range(0, len(ids), 900):
            Dispatch.objects.filter(pk__in=ids[i:i + 900]).update(
                escalation_level=level, escalated_at=escalated_at, next_check_at=nxt)
    if supervised:
        Whistle.objects.filter(pk__in=list(supervised), supervised_at__isnull=True).update(supervised_at=now)
    counts["checked"] += len(rows)
    return len(rows)




def _send(outbox: dict[tuple[int | None, int], list[tuple[str, str, int]]]) -> None:
    """One notification per (department, level) per tick, listing the overdue whistles."""
    from tiaokuai.org.models import Organisation

    org_ids = {org for org, _level in outbox if org is not None}
    staff = services.department_users(org_ids) if any(lv == 1 for _o, lv in outbox) else {}
    heads = services.department_users(org_ids, heads_only=True) if any(lv == 2 for _o, lv in outbox) else {}
    names = dict(Organisation.objects.filter(pk__in=org_ids | {o for items in outbox.values()
                                                               for _n, _k, o in items}).values_list("pk", "name"))
    for (org, level), items in outbox.items():
        lines = "\n".join(f"{number} — {EscalationKind(kind).label}" + (f" ({names.get(o, '')})" if org is None else "")
                          for number, kind, o in items)
        if level == 1:
            recipients: list[Any] = staff.get(org, [])
            title = _("Reminder: %(count)d overdue whistle dispatch(es)") % {"count": len(items)}
        elif level == 2:
            recipients = heads.get(org, [])
            title = _("Notice to the head of %(org)s: %(count)d overdue whistle dispatch(es)") % {
                "org": names.get(org, ""), "count": len(items)}
        else:
            recipients = list(get_user_model().objects.filter(
                is_active=True, person__memberships__role=Role.SUPERVISION).distinct())
            title = _("Supervision: %(count)d whistle dispatch(es) still overdue") % {"count": len(items)}
        services._notify(recipients=recipients, kind=f"whistles.escalate.{level}", title=title, body=lines,
                         url="/whistles/board/?overdue=1")
