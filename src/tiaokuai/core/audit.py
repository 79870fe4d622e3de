"""The audit log: one append-only table, one event per state change."""

from typing import Any

from django.db import models
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
) -> AuditEvent:
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type_of(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        request_id=current_request_id(),
    )


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
