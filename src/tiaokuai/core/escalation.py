"""Escalation ladders: what happens, level by level, when a piece of dispatched work stays overdue.

A mechanism declares one `Ladder` per kind of dispatched work (whistle dispatches today; requests,
admissions, filings and cases next): the rows it watches, their step clocks (core.clocks.StepClocks),
the rungs (level → who is told), the time that must pass between two levels, and how an escalation is
recorded and told. The ladder's `run(now)` is the sweep: idempotent, batched, in a time budget.

A tick with nothing due is one indexed query (`next_check_at <= now`). Due rows are claimed in chunks
inside a transaction (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers with
BEGIN IMMEDIATE); levels are computed in Python; the mechanism's escalation rows and the audit events
(one per escalation, through core.audit.log_many) are inserted in bulk, the rows updated in a few
grouped UPDATEs; each rung tells its people once per chunk, grouped, inside the chunk's transaction (a crash
loses neither the escalation nor its notice, and never keeps one without the other).

The rule for the next look (`next_check`) lives here and nowhere else: services call it when a state
change moves a deadline, the sweep when it escalates.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from . import audit, sweeps
from .clocks import OverdueMinutes, StepClocks, Unit


@dataclass(frozen=True)
class Rung:
    level: int
    label: Any
    # Who is told at this level, in the mechanism's words ("handlers", "heads", "supervision"); the
    # ladder's `tell` resolves them to people.
    tells: str


@dataclass
class Escalated:
    """One escalation made in a tick."""

    pk: int
    row: dict[str, Any]
    level: int
    step: str
    overdue_minutes: int


class Ladder:
    """Subclass per kind of dispatched work; fill the class attributes and the four hooks."""

    name: str  # the sweep's name, e.g. "whistles.escalate"
    model: type[models.Model]
    clocks: StepClocks
    rungs: tuple[Rung, ...]
    audit_action: str  # e.g. "whistles.escalate"
    level_field = "escalation_level"
    escalated_field = "escalated_at"
    next_check_field = "next_check_at"
    fields: tuple[str, ...] = ()  # further values each row needs (e.g. the whistle's number)
    # The mechanism's escalation records (a core.dispatch.EscalationBase with a `dispatch` key and a `kind`);
    # None when it keeps none.
    escalation_model: type[models.Model] | None = None
    chunk = 2000

    # ------------------------------------------------------------------ hooks

    def interval_end(self, at: dt.datetime, row: Mapping[str, Any]) -> dt.datetime:
        """When the next level may follow one made at `at`."""
        raise NotImplementedError

    def unit(self, row: Mapping[str, Any]) -> Unit:
        """The time in which overdue minutes are counted for this row."""
        raise NotImplementedError

    def audit_target(self, row: Mapping[str, Any]) -> tuple[str, str, str]:
        """(object_type, object_id, object_repr) of the audit event of an escalation."""
        raise NotImplementedError

    def record(self, escalated: list[Escalated], now: dt.datetime) -> None:
        """Write the escalation records (inside the chunk's transaction); mechanisms add their own marks."""
        if self.escalation_model is not None:
            at = connection.ops.adapt_datetimefield_value(now)
            audit.insert_rows(self.escalation_model, ["dispatch_id", "level", "kind", "at", "overdue_minutes"],
                              [(e.pk, e.level, e.step, at, e.overdue_minutes) for e in escalated])

    def tell(self, escalated: list[Escalated]) -> None:
        """Tell the people of each rung, once per chunk (inside the chunk's transaction)."""

    # ------------------------------------------------------------------ the rule

    @property
    def top(self) -> int:
        return max(r.level for r in self.rungs)

    def rung(self, level: int) -> Rung:
        return next(r for r in self.rungs if r.level == level)

    def next_check(self, row: Mapping[str, Any], *, interval_end: dt.datetime | None = None) -> dt.datetime | None:
        """The next moment the sweep must look at a row: the pending step's deadline, but not before the
        next level may follow the last; None when nothing is pending, the clocks are paused, or every
        level has been used."""
        pending = self.clocks.pending(row)
        level = row.get(self.level_field) or 0
        if pending is None or pending[1] is None or level >= self.top:
            return None
        due = pending[1]
        escalated_at = row.get(self.escalated_field)
        if level >= 1 and escalated_at:
            if interval_end is None:
                interval_end = self.interval_end(escalated_at, row)
            due = max(due, interval_end)
        return due

    # ------------------------------------------------------------------ the sweep

    def run(self, now: dt.datetime) -> dict[str, int]:
        manager = self.model._default_manager
        if not manager.filter(**{f"{self.next_check_field}__lte": now}).order_by().values_list("pk", flat=True)[:1]:
            return {"escalated": 0}
        counts: dict[str, int] = defaultdict(int)
        cache: dict[tuple[dt.datetime, bool], dt.datetime] = {}
        while True:
            if sweeps.out_of_time():
                counts["deferred"] = 1  # the next tick goes on where this one stopped
                break
            if self._chunk(now, cache, counts) == 0:
                break
        counts["escalated"] += 0  # always reported
        return dict(counts)

    def _interval_end(self, at: dt.datetime, row: Mapping[str, Any], cache: dict) -> dt.datetime:
        """interval_end once per (time, unit) in a tick: most rows share `now` and a unit."""
        key = (at, self.unit(row).natural)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = self.interval_end(at, row)
        return hit

    @transaction.atomic
    def _chunk(self, now: dt.datetime, cache: dict, counts: dict[str, int]) -> int:
        columns = ["pk", self.level_field, self.escalated_field, "step", "due", *self.fields]
        qs = (self.model._default_manager.filter(**{f"{self.next_check_field}__lte": now}).order_by()
              .select_for_update(skip_locked=True, of=("self",)).annotate(**self.clocks.annotations())
              .values_list(*columns))
        rows = list(qs[: self.chunk])
        if not rows:
            return 0
        overdue = OverdueMinutes(now)
        escalated: list[Escalated] = []
        events: list[audit.Event] = []
        groups: dict[tuple[int, dt.datetime | None, dt.datetime | None], list[int]] = defaultdict(list)
        for values in rows:
            row = dict(zip(columns, values, strict=True))
            pk, level, escalated_at, step, due = (row["pk"], row[self.level_field], row[self.escalated_field],
                                                   row["step"], row["due"])
            if step and level < self.top and due <= now and (
                    level == 0 or escalated_at is None or self._interval_end(escalated_at, row, cache) <= now):
                level += 1
                escalated_at = now
                minutes = overdue.minutes(due, self.unit(row))
                escalated.append(Escalated(pk, row, level, step, minutes))
                object_type, object_id, object_repr = self.audit_target(row)
                events.append(audit.Event(
                    at=now, actor_id=None, action=self.audit_action, object_type=object_type, object_id=object_id,
                    object_repr=object_repr, before={self.level_field: level - 1},
                    after={"dispatch": pk, self.level_field: level, "kind": step, "overdue_minutes": minutes}))
                counts[f"level_{level}"] += 1
                counts["escalated"] += 1
            nxt = None
            if step and level < self.top:
                nxt = due
                if level >= 1 and escalated_at is not None:
                    nxt = max(due, self._interval_end(escalated_at, row, cache))
                if nxt <= now:  # never look at the same row twice in one tick
                    nxt = self._interval_end(now, row, cache)
            groups[(level, escalated_at, nxt)].append(pk)
        self.record(escalated, now)
        audit.log_many(events)
        manager = self.model._default_manager
        for (level, escalated_at, nxt), ids in groups.items():
            for i in range(0, len(ids), 900):
                manager.filter(pk__in=ids[i:i + 900]).update(**{
                    self.level_field: level, self.escalated_field: escalated_at, self.next_check_field: nxt})
        if escalated:
            self.tell(escalated)
        counts["checked"] += len(rows)
        return len(rows)


def register(ladder: Ladder) -> None:
    """Run this ladder as a sweep every minute (core.sweeps)."""
    sweeps.register(ladder.name)(ladder.run)

