"""Registry of periodic sweeps: idempotent scans of the database for work that has become due
(deadlines, retries). The worker runs them all every minute; `tiaokuai sweep` runs them once.

Apps register their sweeps in AppConfig.ready by importing their own sweeps module:

    @sweeps.register("whistles.overdue")
    def overdue(now: datetime) -> dict[str, int]: ...

A sweep must be safe to run twice at the same `now` (and by two workers at once): it selects rows
by state and due time and changes them with compare-and-set. See docs/adr/0003-worker-and-sweeps.md.
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger("tiaokuai.sweeps")

SweepFn = Callable[[datetime], dict[str, int]]
_REGISTRY: dict[str, SweepFn] = {}
# monotonic time by which the running sweep should stop taking new batches (None: no budget)
_deadline: ContextVar[float | None] = ContextVar("sweep_deadline", default=None)

# A tick must finish well within the worker's one-minute period; what is left waits for the next tick.
DEFAULT_BUDGET_SECONDS = 40.0


def out_of_time() -> bool:
    """True when the running sweep has used its time budget: batched sweeps check it between batches
    (every batch commits on its own, so stopping between two loses nothing)."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() > deadline


def register(name: str) -> Callable[[SweepFn], SweepFn]:
    """Decorator: register fn(now) -> {counter: int} under a unique, namespaced name."""

    def decorator(fn: SweepFn) -> SweepFn:
        _REGISTRY[name] = fn  # re-registering the same name (module re-import) replaces it
        return fn

    return decorator


def registered() -> dict[str, SweepFn]:
    return dict(_REGISTRY)


def run_one(name: str, now: datetime | None = None, *, budget_seconds: float | None = None) -> dict[str, int]:
    return _run(name, _REGISTRY[name], now or timezone.now(), budget_seconds)


def _run(name: str, fn: SweepFn, now: datetime, budget_seconds: float | None) -> dict[str, int]:
    token = _deadline.set(None if budget_seconds is None else time.monotonic() + budget_seconds)
    try:
        result = fn(now) or {}
        return {str(k): int(v) for k, v in result.items()}
    except Exception:
        logger.exception("sweep %s failed", name)
        return {"error": 1}
    finally:
        _deadline.reset(token)


def run_all(now: datetime | None = None, *, budget_seconds: float | None = DEFAULT_BUDGET_SECONDS
            ) -> dict[str, dict[str, int]]:
    """Run every registered sweep once, each within its share of the time budget (what is left waits for
    the next tick); one failing sweep is logged and reported as {"error": 1} and does not stop the others."""
    now = now or timezone.now()
    names = sorted(_REGISTRY)
    out: dict[str, dict[str, int]] = {}
    started = time.monotonic()
    for i, name in enumerate(names):
        share = None
        if budget_seconds is not None:
            share = max(0.0, (budget_seconds - (time.monotonic() - started)) / (len(names) - i))
        out[name] = _run(name, _REGISTRY[name], now, share)
    return out
