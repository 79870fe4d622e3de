"""Timelines: audit events rendered as Chinese sentences a clerk reads.

A kernel module (it imports nothing above core). Each app fills the registry in its
``AppConfig.ready()``:

    timeline.register_action("whistles.respond", _("{actor} accepted the dispatch"))
    timeline.register_action("whistles.arrive", _("{actor} arrived on site: {people}"),
                             fields={"status": timeline.Field(choices=DispatchStatus)})
    timeline.register_fields("whistles.whistle", {"organisation": timeline.Field(_("department"), lookup=fn)})
    timeline.register_actor_names(fn)   # user ids → "单位 姓名" (org fills it)

A sentence is a (lazy) format string: ``{actor}`` is who did it ("单位 姓名", the user name, or
"系统"), ``{object}`` the object's name, and any other ``{key}`` a value of the event's
after/before, shown through its field. Keys used in the sentence are not repeated as changes;
the others become "字段：旧 → 新" lines. Field labels and values come, in this order, from the
action's fields, the object type's fields, the fields registered for every type ("*"), and
finally the model itself (verbose name, choices, foreign keys to names, dates in Asia/Shanghai).
Nothing here raises on odd data: unknown keys and values get a readable fallback.

``render(events)`` does a fixed number of queries whatever the number of events.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .personal import mask_text

log = logging.getLogger(__name__)
LOCAL = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M"
EMPTY = "—"
ARROW = " → "

Lookup = Callable[[set[Any]], Mapping[Any, str]]
ActorNamer = Callable[[set[int]], Mapping[int, str]]


@dataclass(frozen=True)
class Field:
    """How one key of an event's before/after reads.

    label: the field's name ("状态"); choices: a TextChoices class, pairs or a dict (value → label);
    lookup: a batch function {raw values} → {value: name}, called once per render; kind: "datetime",
    "date", "bool" or "minutes" when the value does not say so itself; hidden: an internal key (ids).
    """

    label: Any = None
    choices: Any = None
    lookup: Lookup | None = None
    kind: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class Action:
    name: str
    sentence: Any
    fields: Mapping[str, Field] = field(default_factory=dict)


@dataclass
class TimelineEntry:
    at: dt.datetime  # in Asia/Shanghai
    actor: str
    sentence: str
    changes: list[str]
    action: str
    event_id: int | None = None

    @property
    def time(self) -> str:
        return self.at.strftime(TIME_FORMAT)

    @property
    def text(self) -> str:
        return "；".join([self.sentence, *self.changes])

    def __str__(self) -> str:
        return f"{self.time} {self.text}"


_actions: dict[str, Action] = {}
_fields: dict[str, dict[str, Field]] = defaultdict(dict)
_actor_namers: list[ActorNamer] = []


def _as_field(spec: Field | Any) -> Field:
    return spec if isinstance(spec, Field) else Field(label=spec)


def register_action(name: str, sentence: Any, *, fields: Mapping[str, Field | Any] | None = None) -> None:
    """Register an audit action: its sentence (gettext_lazy, with {actor} and {key} placeholders) and
    field overrides for this action only (e.g. "status" is a dispatch status on some whistle events)."""
    _actions[name] = Action(name, sentence, {k: _as_field(v) for k, v in (fields or {}).items()})


def register_fields(object_type: str, fields: Mapping[str, Field | Any]) -> None:
    """Labels for the keys of events on one object type ("whistles.whistle"), or "*" for every type.
    A plain string value is a label."""
    _fields[object_type].update({k: _as_field(v) for k, v in fields.items()})


def register_actor_names(namer: ActorNamer) -> None:
    """A batch function {user ids} → {user id: "单位 姓名"}; users it omits read as their user name."""
    if namer not in _actor_namers:
        _actor_namers.append(namer)


def is_registered(action: str) -> bool:
    return action in _actions


def registered_actions() -> set[str]:
    return set(_actions)


def model_lookup(model: type[models.Model], *, key: str = "pk", name: str = "name") -> Lookup:
    """A batch lookup of rows of ``model`` by ``key`` (pk or a code), showing ``name``."""

    def look(values: set[Any]) -> dict[Any, str]:
        wanted = {v for v in values if v not in (None, "")}
        if key == "pk":
            wanted = {int(v) for v in wanted if str(v).isdigit()}
        rows = model._default_manager.filter(**{f"{key}__in": wanted}).values_list(key, name)
        out: dict[Any, str] = {}
        for k, n in rows:
            out[k] = str(n)
            out[str(k)] = str(n)
        return out

    look.__qualname__ = f"lookup_{model._meta.label_lower}_{key}_{name}"
    return look


# ---------------------------------------------------------------- rendering

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_model_fk_lookups: dict[type[models.Model], Lookup] = {}
_model_field_cache: dict[tuple[str, str], Field | None] = {}


class _Formatter(string.Formatter):
    """str.format that never raises: unknown names read as "—", format specs are ignored."""

    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(str(key), EMPTY)

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]) -> tuple[Any, Any]:
        return self.get_value(field_name, args, kwargs), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        return str(value)


_formatter = _Formatter()


def _placeholders(sentence: str) -> set[str]:
    try:
        return {name for _t, name, _s, _c in _formatter.parse(sentence) if name}
    except ValueError:
        return set()


def _model_field(object_type: str, key: str) -> Field | None:
    cache_key = (object_type, key)
    if cache_key in _model_field_cache:
        return _model_field_cache[cache_key]
    found: Field | None = None
    try:
        model = apps.get_model(object_type)
        f = model._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        f = None
    if f is not None and getattr(f, "concrete", False) and not f.many_to_many:
        label = getattr(f, "verbose_name", None) or key
        if f.is_relation and f.related_model is not None:
            found = Field(label=label, lookup=_fk_lookup(f.related_model))
        elif f.choices:
            found = Field(label=label, choices=dict(f.flatchoices))
        elif isinstance(f, models.DateTimeField):
            found = Field(label=label, kind="datetime")
        elif isinstance(f, models.DateField):
            found = Field(label=label, kind="date")
        elif isinstance(f, models.BooleanField):
            found = Field(label=label, kind="bool")
        else:
            found = Field(label=label)
    _model_field_cache[cache_key] = found
    return found


def _fk_lookup(model: type[models.Model]) -> Lookup | None:
    if model not in _model_fk_lookups:
        names = {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        if model is get_user_model():
            _model_fk_lookups[model] = _actor_lookup
        else:
            name = next((n for n in ("name", "number", "code") if n in names), None)
            _model_fk_lookups[model] = model_lookup(model, name=name) if name else None  # type: ignore[assignment]
    return _model_fk_lookups[model]


def _actor_lookup(user_ids: set[Any]) -> dict[Any, str]:
    ids = {int(v) for v in user_ids if str(v).isdigit()}
    names = _actor_names(ids)
    return names | {str(k): v for k, v in names.items()}


def _actor_names(ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for namer in _actor_namers:
        missing = ids - set(names)
        if not missing:
            break
        try:
            names.update({k: v for k, v in namer(missing).items() if v})
        except Exception:  # a broken namer must not take the page down
            log.exception("timeline actor namer %r failed", namer)
    missing = ids - set(names)
    if missing:
        names.update(get_user_model()._default_manager.filter(pk__in=missing).values_list("pk", "username"))
    return names


def _field_for(key: str, action: Action | None, object_type: str) -> Field:
    if action is not None and key in action.fields:
        return action.fields[key]
    if key in _fields.get(object_type, {}):
        return _fields[object_type][key]
    if key in _fields.get("*", {}):
        return _fields["*"][key]
    return _model_field(object_type, key) or Field()


def _label(key: str, f: Field) -> str:
    if f.label:
        return str(f.label)
    return key.replace("_", " ")


def _choice_label(choices: Any, value: Any) -> str | None:
    if isinstance(choices, type) and issubclass(choices, models.Choices):
        mapping = dict(choices.choices)
    elif isinstance(choices, Mapping):
        mapping = dict(choices)
    else:
        try:
            mapping = dict(choices)
        except (TypeError, ValueError):
            return None
    if value in mapping:
        return str(mapping[value])
    return None


class _Renderer:
    def __init__(self, events: list[Any]):
        self.events = events
        self.pending: dict[Lookup, set[Any]] = defaultdict(set)
        self.resolved: dict[Lookup, Mapping[Any, str]] = {}

    # pass 1: collect the values every lookup needs
    def collect(self, f: Field, value: Any, action: Action | None, object_type: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                self.collect(_field_for(str(k), action, object_type), v, action, object_type)
        elif isinstance(value, list | tuple):
            for v in value:
                self.collect(f, v, action, object_type)
        elif f.lookup is not None and value not in (None, "") and not isinstance(value, bool):
            if isinstance(value, int | str):
                self.pending[f.lookup].add(value)

    def resolve(self) -> None:
        for look, values in self.pending.items():
            try:
                self.resolved[look] = look(values)
            except Exception:  # a failed lookup shows the raw values, never an error page
                log.exception("timeline lookup %r failed", look)
                self.resolved[look] = {}

    # pass 2: format
    def value(self, f: Field, value: Any, action: Action | None, object_type: str) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(value, Mapping):
            parts = []
            for k, v in value.items():
                sub = _field_for(str(k), action, object_type)
                if sub.hidden:
                    continue
                parts.append(f"{_label(str(k), sub)} {self.value(sub, v, action, object_type)}")
            return "，".join(parts) or EMPTY
        if isinstance(value, list | tuple):
            shown = [self.value(f, v, action, object_type) for v in value]
            return "；".join(shown) if any(isinstance(v, Mapping) for v in value) else "、".join(shown)
        if f.choices is not None:
            label = _choice_label(f.choices, value)
            if label is not None:
                return label
        if f.lookup is not None and not isinstance(value, bool):
            found = self.resolved.get(f.lookup, {})
            if value in found:
                return found[value]
            if str(value) in found:
                return found[str(value)]
        if isinstance(value, bool) or f.kind == "bool":
            return gettext("yes") if value else gettext("no")
        if f.kind == "minutes" and isinstance(value, int | float):
            return _minutes(int(value))
        if isinstance(value, dt.datetime):
            return _local(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str) and (f.kind == "datetime" or _ISO_DATETIME.match(value)):
            try:
                return _local(dt.datetime.fromisoformat(value))
            except ValueError:
                return mask_text(value)
        return mask_text(str(value))  # free text on a timeline: phone and ID numbers masked, like every page

    def entry(self, event: Any, actors: Mapping[int, str]) -> TimelineEntry:
        action = _actions.get(event.action)
        object_type = event.object_type or ""
        before = event.before if isinstance(event.before, Mapping) else ({} if event.before is None else {"": event.before})
        after = event.after if isinstance(event.after, Mapping) else ({} if event.after is None else {"": event.after})
        actor = actors.get(event.actor_id) if event.actor_id else None
        actor = actor or gettext("System")
        values: dict[str, str] = {"actor": actor, "object": event.object_repr or EMPTY}
        sentence_tpl = str(action.sentence) if action else _fallback_sentence(object_type)
        used = _placeholders(sentence_tpl)
        for key in used - {"actor", "object"}:
            raw = after.get(key, before.get(key))
            values[key] = self.value(_field_for(key, action, object_type), raw, action, object_type)
        try:
            sentence = _formatter.vformat(sentence_tpl, (), values)
        except (ValueError, IndexError):
            sentence = sentence_tpl
        changes = []
        for key in list(dict.fromkeys([*before, *after])):
            if key in used:
                continue
            f = _field_for(key, action, object_type)
            if f.hidden:
                continue
            label = _label(key, f) if key else gettext("Details")
            old = self.value(f, before[key], action, object_type) if key in before else None
            new = self.value(f, after[key], action, object_type) if key in after else None
            if old is not None and new is not None:
                if old == new:
                    continue
                changes.append(f"{label}：{old}{ARROW}{new}")
            else:
                changes.append(f"{label}：{new if new is not None else old}")
        return TimelineEntry(at=_local_dt(event.at), actor=actor, sentence=sentence, changes=changes,
                             action=event.action, event_id=getattr(event, "pk", None))


def render(events: Iterable[Any]) -> list[TimelineEntry]:
    """Audit events (a query set or list, in the order to show) → entries to display."""
    events = list(events)
    r = _Renderer(events)
    for e in events:
        action = _actions.get(e.action)
        for side in (e.before, e.after):
            if isinstance(side, Mapping):
                r.collect(Field(), side, action, e.object_type or "")
        sentence = str(action.sentence) if action else ""
        for key in _placeholders(sentence) - {"actor", "object"}:
            for side in (e.before, e.after):
                if isinstance(side, Mapping) and key in side:
                    r.collect(_field_for(key, action, e.object_type or ""), side[key], action, e.object_type or "")
    r.resolve()
    actors = _actor_names({e.actor_id for e in events if e.actor_id})
    return [r.entry(e, actors) for e in events]


def _fallback_sentence(object_type: str) -> str:
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = gettext("record")
    return gettext("{actor} changed the %(object_type)s") % {"object_type": name}


def _local_dt(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL)


def _local(value: dt.datetime) -> str:
    return _local_dt(value).strftime(TIME_FORMAT)


def _minutes(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(gettext("%(n)d d") % {"n": days})
    if hours:
        parts.append(gettext("%(n)d h") % {"n": hours})
    if mins or not parts:
        parts.append(gettext("%(n)d min") % {"n": mins})
    return " ".join(parts)


# Keys many events share.
register_fields("*", {
    "status": _("status"),
    "reason": _("reason"),
    "note": _("note"),
    "name": _("name"),
    "code": _("code"),
    "number": _("number"),
    "title": _("title"),
    "notes": _("notes"),
    "date": _("date"),
    "is_working": Field(_("working day"), kind="bool"),
    "user": Field(_("user"), lookup=_actor_lookup),
})
