"""Where the router's labelled examples and its queue come from: sources that the apps above register in
their AppConfig.ready() (whistles today, citizen requests next). Routing imports no mechanism.

A source may give:
- ``catalogue(on)``: (text, matter code) pairs from a list of its own in force on a date (whistle items);
- ``history()``: (text, matter code) pairs already settled by people, oldest first;
- ``waiting(viewer)``: items waiting for the establishment office to route them;
- ``routed(viewer, limit)``: open items already routed, newest first, for the router's second look.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkItem:
    """One piece of work as the routing queue shows it."""

    pk: int
    number: str
    url: str
    description: str
    place: str = ""
    chosen_name: str = ""  # the item or matter chosen when it was raised (routed items)
    chosen_code: str = ""  # its matter code


@dataclass(frozen=True)
class Source:
    name: str
    label: str | Promise
    catalogue: Callable[[date], Iterable[tuple[str, str]]] | None = None
    history: Callable[[], Iterable[tuple[str, str]]] | None = None
    waiting: Callable[[Any], Iterable[WorkItem]] | None = None
    routed: Callable[[Any, int], Iterable[WorkItem]] | None = None


_SOURCES: dict[str, Source] = {}


def register(name: str, *, label: str | Promise, **parts: Any) -> None:
    """Adds (or replaces) a source; ``parts``: catalogue, history, waiting, routed (see the module doc)."""
    _SOURCES[name] = Source(name, label, **parts)


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def sources() -> list[Source]:
    return list(_SOURCES.values())


def catalogue_pairs(on: date) -> list[tuple[str, str]]:
    return [pair for s in sources() if s.catalogue is not None for pair in s.catalogue(on)]


def history_pairs() -> list[tuple[str, str]]:
    return [(text, label) for s in sources() if s.history is not None for text, label in s.history()
            if text and label]


def waiting(viewer: Any, limit: int) -> list[WorkItem]:
    items: list[WorkItem] = []
    for s in sources():
        if s.waiting is not None and len(items) < limit:
            items += list(s.waiting(viewer))[: limit - len(items)]
    return items


def routed(viewer: Any, limit: int) -> list[WorkItem]:
    items: list[WorkItem] = []
    for s in sources():
        if s.routed is not None and len(items) < limit:
            items += list(s.routed(viewer, limit - len(items)))
    return items
