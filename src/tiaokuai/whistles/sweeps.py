"""The escalation sweep ("whistles.escalate"), run every minute by the worker.

A tick with nothing due is one indexed query (next_check_at <= now). Due dispatches are processed in
chunks inside a transaction (rows claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
writers are serialised by BEGIN IMMEDIATE): levels are computed in Python, Escalation and AuditEvent
rows are bulk-inserted, dispatches are updated in a few grouped UPDATEs, and one notification per
(department, level) lists that department's overdue whistles. See docs/adr/0004.
"""

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.translation import gettext as _

from tiaokuai.core.clocks import OverdueMinutes
from tiaokuai.core.middleware import current_request_id
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.choices import Role

from . import services
from .choices import MAX_ESCALATION_LEVEL, EscalationKind
from .clocks import DISPATCH_CLOCKS, step_unit
from .models import Dispatch, Escalation, Whistle

CHUNK = 2000


def register() -> None:
    from tiaokuai.core import sweeps

    sweeps.register("whistles.escalate")(escalate)


def escalate(now: dt.datetime) -> dict[str, int]:
    if not Dispatch.objects.filter(next_check_at__lte=now).order_by().values_list("id", flat=True)[:1]:
        return {"escalated": 0}
    counts: dict[str, int] = defaultdict(int)
    # (organisation id or None for supervision, level) → [(whistle number, kind)]
    outbox: dict[tuple[int | None, int], list[tuple[str, str, int]]] = defaultdict(list)
    interval_cache: dict[tuple[dt.datetime, bool], dt.datetime] = {}
    for _round in range(10_000):
        done = _chunk(now, interval_cache, counts, outbox)
        if done == 0:
            break
    if outbox:
        _send(outbox)
    counts["escalated"] += 0  # always reported
    return dict(counts)


def _interval_end(at: dt.datetime, urgency: str, cache: dict[tuple[dt.datetime, bool], dt.datetime]) -> dt.datetime:
    """escalation_interval_end, computed once per (time, natural?) in a tick (most rows share `now`)."""
    key = (at, step_unit(urgency).natural)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = services.escalation_interval_end(at, urgency)
    return hit


ROW = ["id", "whistle_id", "organisation_id", "escalation_level", "escalated_at", "whistle__urgency",
       "whistle__number", "step", "due"]


@transaction.atomic
def _chunk(now: dt.datetime, cache: dict, counts: dict[str, int], outbox: dict) -> int:
    qs = (Dispatch.objects.filter(next_check_at__lte=now).order_by().select_for_update(skip_locked=True, of=("self",))
          .annotate(**DISPATCH_CLOCKS.annotations()).values_list(*ROW))
    rows = list(qs[:CHUNK])
    if not rows:
        return 0
    escalations: list[tuple] = []
    events: list[tuple] = []
    supervised: set[int] = set()
    at = connection.ops.adapt_datetimefield_value(now)
    overdue = OverdueMinutes(now)
    groups: dict[tuple[int, dt.datetime | None, dt.datetime | None], list[int]] = defaultdict(list)
    request_id = current_request_id()
    before = [json.dumps({"escalation_level": lv}) for lv in range(MAX_ESCALATION_LEVEL + 1)]
    for pk, whistle_id, org_id, level, escalated_at, urgency, number, kind, due in rows:
        if kind and level < MAX_ESCALATION_LEVEL and due <= now and (
                level == 0 or escalated_at is None or _interval_end(escalated_at, urgency, cache) <= now):
            level += 1
            escalated_at = now
            minutes = overdue.minutes(due, step_unit(urgency))
            escalations.append((pk, level, kind, at, minutes))
            events.append((at, None, "whistles.escalate", "whistles.whistle", str(whistle_id), number[:200],
                           before[level - 1], json.dumps({"dispatch": pk, "escalation_level": level, "kind": kind,
                                                          "overdue_minutes": minutes}), request_id))
            outbox[(org_id if level < 3 else None, level)].append((number, kind, org_id))
            if level == 3:
                supervised.add(whistle_id)
            counts[f"level_{level}"] += 1
            counts["escalated"] += 1
        # Same rule as services.next_check: the pending deadline, not before the next level may follow.
        nxt = None
        if kind and level < MAX_ESCALATION_LEVEL:
            nxt = due
            if level >= 1 and escalated_at is not None:
                nxt = max(due, _interval_end(escalated_at, urgency, cache))
            if nxt <= now:  # never look at the same row twice in one tick
                nxt = _interval_end(now, urgency, cache)
        groups[(level, escalated_at, nxt)].append(pk)
    _insert(Escalation, ["dispatch_id", "level", "kind", "at", "overdue_minutes"], escalations)
    _insert(AuditEvent, ["at", "actor_id", "action", "object_type", "object_id", "object_repr", "before", "after",
                         "request_id"], events)
    for (level, escalated_at, nxt), ids in groups.items():
        for i in range(0, len(ids), 900):
            Dispatch.objects.filter(pk__in=ids[i:i + 900]).update(
                escalation_level=level, escalated_at=escalated_at, next_check_at=nxt)
    if supervised:
        Whistle.objects.filter(pk__in=list(supervised), supervised_at__isnull=True).update(supervised_at=now)
    counts["checked"] += len(rows)
    return len(rows)


def _insert(model: Any, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERT through the DB-API (executemany): the ORM's bulk_create costs several times more
    per row, and these rows need no ids back. Values are already adapted (datetimes, JSON text)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (quoted model metadata, no user input)
        qn(model._meta.db_table), ", ".join(qn(fields[c]) for c in columns), ", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _send(outbox: dict[tuple[int | None, int], list[tuple[str, str, int]]]) -> None:
    """One notification per (department, level) per tick, listing the overdue whistles."""
    from tiaokuai.org.models import Organisation

    org_ids = {org for org, _level in outbox if org is not None}
    staff = services.department_users(org_ids) if any(lv == 1 for _o, lv in outbox) else {}
    heads = services.department_users(org_ids, heads_only=True) if any(lv == 2 for _o, lv in outbox) else {}
    names = dict(Organisation.objects.filter(pk__in=org_ids | {o for items in outbox.values()
                                                               for _n, _k, o in items}).values_list("pk", "name"))
    labels = {k: str(EscalationKind(k).label) for k in EscalationKind.values}
    for (org, level), items in outbox.items():
        lines = "\n".join(f"{number} — {labels[kind]}" + (f" ({names.get(o, '')})" if org is None else "")
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
