"""Workflow tables: the one place that says what may happen next to an entity.

Each entity declares one `Workflow`: named actions, each with the states it may start from, the
state(s) it leads to, the party that may take it and the audit action it writes. Services take every
state change through `Workflow.apply` (compare-and-set *and* the one audit event, so no write can
skip its audit); pages and the API ask `Workflow.available` which actions to offer; tests read the
table. Nothing else restates the rules.

Parties are plain strings an app's access layer understands ("handler": staff of the body a piece
of work is dispatched to; "township": the raising township; "office": the establishment office;
"system": the platform itself, e.g. a cascade or a sweep).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import audit
from .errors import Conflict, NotFound
from .states import transition


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    # The states the action may lead to (the first is the usual one); empty: the state stays as it is
    # (a note, a rating, a photo) but the action is still checked against the table and audited.
    targets: tuple[str, ...]
    who: frozenset[str]
    audit: str
    label: Any = ""

    @property
    def changes_state(self) -> bool:
        return bool(self.targets)


def action(name: str, sources: Iterable[str], targets: Iterable[str] | str | None, *, who: str | Iterable[str],
           audit: str, label: Any = "") -> Action:
    if targets is None:
        target_tuple: tuple[str, ...] = ()
    elif isinstance(targets, str):
        target_tuple = (str(targets),)
    else:
        target_tuple = tuple(str(t) for t in targets)
    parties = frozenset([who] if isinstance(who, str) else who)
    return Action(name=name, sources=frozenset(str(s) for s in sources), targets=target_tuple, who=parties,
                  audit=audit, label=label)


@dataclass
class Workflow:
    """The table of one entity. `states` is the TextChoices of its status field (for labels)."""

    entity: str
    states: type[models.TextChoices]
    actions: tuple[Action, ...]
    state_field: str = "status"
    # Tables built only for a test stay out of the registry that the code-base checks read.
    register: bool = field(default=True, repr=False)
    # Called as on_change(obj, old state, new state) inside `apply`, after the compare-and-set and in the same
    # transaction, for every state change: the one place that keeps data derived from the state (a summary
    # table) in step — never a signal or save().
    on_change: Callable[[models.Model, str, str], None] | None = field(default=None, repr=False)
    _by_name: dict[str, Action] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        valid = set(self.states.values)
        for a in self.actions:
            if a.name in self._by_name:
                raise ValueError(f"{self.entity}: action {a.name!r} declared twice")
            unknown = (set(a.sources) | set(a.targets)) - valid
            if unknown:
                raise ValueError(f"{self.entity}.{a.name}: unknown states {sorted(unknown)}")
            self._by_name[a.name] = a
        if self.register:
            _REGISTRY[self.entity] = self

    # ------------------------------------------------------------------ reading the table

    def action(self, name: str) -> Action:
        try:
            return self._by_name[name]
        except KeyError:
            raise NotFound(_("Unknown action.")) from None

    def names(self, *, who: str | None = None) -> list[str]:
        return [a.name for a in self.actions if who is None or who in a.who]

    def transitions(self) -> dict[str, set[str]]:
        """{from state: {to states}} as the table allows them (state-changing actions only)."""
        out: dict[str, set[str]] = {s: set() for s in self.states.values}
        for a in self.actions:
            for source in a.sources:
                out[source].update(a.targets)
        return out

    def available(self, state: str, parties: Iterable[str]) -> list[str]:
        """The actions these parties may take in this state, in table order (what a page or API offers)."""
        parties = set(parties)
        return [a.name for a in self.actions if a.who & parties and state in a.sources]

    def label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def check(self, name: str, state: str, target: str | None = None) -> Action:
        """The action, if the table allows it from `state` (to `target`); otherwise Conflict."""
        act = self.action(name)
        if state not in act.sources:
            raise Conflict(
                _("This action is not possible while the status is “%(status)s”.") % {"status": self.label(state)},
                code="invalid_transition",
            )
        if target is not None and target not in act.targets:
            raise Conflict(_("This action cannot lead to “%(status)s”.") % {"status": self.label(target)},
                           code="invalid_transition")
        return act

    # ------------------------------------------------------------------ changing state

    def apply(
        self,
        name: str,
        obj: models.Model,
        *,
        actor: Any,
        target: str | None = None,
        audit_on: models.Model | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> Action:
        """Take action `name` on `obj` (whose status attribute holds the state it was read in):
        check the table, compare-and-set the row (UPDATE … WHERE pk AND status = read state; zero rows
        → Conflict, nothing written), update `obj` in memory, and write the action's one audit event
        (on `audit_on`, default `obj`; the state change is recorded as before/after "status")."""
        current = str(getattr(obj, self.state_field))
        act = self.check(name, current, target)
        event_before = dict(before or {})
        event_after = dict(after or {})
        if act.changes_state:
            new_state = target or act.targets[0]
            transition(type(obj), obj.pk, field=self.state_field, expected=current, target=new_state, **changes)
            setattr(obj, self.state_field, new_state)
            if self.on_change is not None and new_state != current:
                self.on_change(obj, current, new_state)
            event_before.setdefault(self.state_field, current)
            event_after.setdefault(self.state_field, new_state)
        elif changes:
            # No state change, but the row must still be in the state the action was checked against.
            updated = type(obj)._default_manager.filter(pk=obj.pk, **{self.state_field: current}).update(**changes)
            if updated == 0:
                raise Conflict(
                    _("The record was changed by someone else or is no longer in the expected state; "
                      "reload and try again."),
                    code="state_conflict",
                )
        for key, value in changes.items():
            setattr(obj, key, value)
        audit.log(actor=actor, action=act.audit, obj=audit_on if audit_on is not None else obj,
                  before=event_before or None, after=event_after or None)
        return act


_REGISTRY: dict[str, Workflow] = {}


def registered() -> dict[str, Workflow]:
    """Every workflow table declared so far (by entity), for tests and documentation."""
    return dict(_REGISTRY)
