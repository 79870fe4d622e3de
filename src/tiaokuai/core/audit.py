"""The audit log: one append-only table, one event per state change, written only from here:
`log` for one event (services, through core.workflow), `log_many` for the bulk paths (sweeps, demo
history)."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from .middleware import current_request_id
from .models import AuditEvent


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def log(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One event about `obj`, in the caller's transaction (the same plain INSERT as `log_many`: every state
    change writes one, so it skips the ORM's per-call SQL compilation)."""
    log_many([Event(at=timezone.now(), actor_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
                    action=action, object_type=object_type_of(obj), object_id=str(obj.pk),
                    object_repr=str(obj), before=before, after=after)])


@dataclass
class Event:
    """One audit event for `log_many` (ids instead of objects: bulk paths have rows, not instances)."""

    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


COLUMNS = ["at", "actor_id", "action", "object_type", "object_id", "object_repr", "before", "after", "request_id"]


def log_many(events: Sequence[Event]) -> None:
    """Insert many events in one executemany (several times cheaper per row than the ORM's bulk_create;
    nothing needs their ids back)."""
    if not events:
        return
    request_id = current_request_id()
    adapt = connection.ops.adapt_datetimefield_value

    def as_json(value: dict[str, Any] | None) -> str | None:
        return None if value is None else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)

    rows = [(adapt(e.at), e.actor_id, e.action[:80], e.object_type, str(e.object_id), e.object_repr[:200],
             as_json(e.before), as_json(e.after), request_id) for e in events]
    insert_rows(AuditEvent, COLUMNS, rows)


def insert_rows(model: type[models.Model], columns: list[str], rows: Sequence[tuple]) -> None:
    """Plain multi-row INSERT through the DB-API (executemany) of already adapted values."""
    if not rows:
        return
    qn = connection.ops.quote_name
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (quoted model metadata, no user input)
        qn(model._meta.db_table), ", ".join(qn(fields[c]) for c in columns), ", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def timeline(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=object_type_of(obj), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """JSON-safe view of some fields, for before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out
