"""Compare-and-set state transitions: the only way a status column changes."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import Conflict


def check_allowed(transitions: Mapping[Any, Iterable[Any]], current: str, target: str) -> None:
    if target not in transitions.get(current, ()):
        raise Conflict(
            _("This action is not possible while the status is “%(status)s”.") % {"status": current},
            code="invalid_transition",
        )


def transition(
    model: type[models.Model],
    pk: Any,
    *,
    field: str = "status",
    expected: str | Iterable[str],
    target: str,
    transitions: Mapping[Any, Iterable[Any]] | None = None,
    **changes: Any,
) -> int:
    """UPDATE … SET status=target WHERE pk=… AND status IN expected; zero rows means someone
    else changed it first (or it was never in that state): raise Conflict and change nothing."""
    expected_set = {expected} if isinstance(expected, str) else set(expected)
    if transitions is not None:
        for current in expected_set:
            check_allowed(transitions, current, target)
    updated = model._default_manager.filter(pk=pk, **{f"{field}__in": expected_set}).update(
        **{field: target}, **changes
    )
    if updated == 0:
        raise Conflict(
            _("The record was changed by someone else or is no longer in the expected state; reload and try again."),
            code="state_conflict",
        )
    return updated
