"""Registry of periodic sweeps: idempotent scans of the database for work that has become due
(deadlines, retries). The worker runs them all every minute; `tiaokuai sweep` runs them once.

Apps register their sweeps in AppConfig.ready by importing their own sweeps module:

    @sweeps.register("whistles.overdue")
    def overdue(now: datetime) -> dict[str, int]: ...

A sweep must be safe to run twice at the same `now` (and by two workers at once): it selects rows
by state and due time and changes them with compare-and-set. See docs/adr/0003-worker-and-sweeps.md.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger("tiaokuai.sweeps")

SweepFn = Callable[[datetime], dict[str, int]]
_REGISTRY: dict[str, SweepFn] = {}


def register(name: str) -> Callable[[SweepFn], SweepFn]:
    """Decorator: register fn(now) -> {counter: int} under a unique, namespaced name."""

    def decorator(fn: SweepFn) -> SweepFn:
        _REGISTRY[name] = fn  # re-registering the same name (module re-import) replaces it
        return fn

    return decorator


def registered() -> dict[str, SweepFn]:
    return dict(_REGISTRY)


def run_one(name: str, now: datetime | None = None) -> dict[str, int]:
    return _run(name, _REGISTRY[name], now or timezone.now())


def _run(name: str, fn: SweepFn, now: datetime) -> dict[str, int]:
    try:
        result = fn(now) or {}
        return {str(k): int(v) for k, v in result.items()}
    except Exception:
        logger.exception("sweep %s failed", name)
        return {"error": 1}


def run_all(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every registered sweep once; one failing sweep is logged and reported as {"error": 1}
    and does not stop the others."""
    now = now or timezone.now()
    return {name: _run(name, fn, now) for name, fn in sorted(_REGISTRY.items())}
