"""What apps contribute to the shell: left-navigation entries and home-page cards.

Each app fills this in its ``AppConfig.ready()``; the shell app (the top layer) renders it. The registry
lives in the kernel so an app never imports the shell above it, and the shell never needs a list of apps.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    """One link of the left navigation. ``roles``: the roles that see it (a superuser sees every entry).
    Entries are shown in ``order``; a section appears where its first entry does."""

    section: str | Promise
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    order: int = 500


# A home-card source: viewer → cards, each {"label", "value", "url_name"}.
HomeCards = Callable[[Any], Iterable[dict[str, Any]]]

_NAV: dict[str, NavEntry] = {}
_HOME_CARDS: dict[str, tuple[int, HomeCards]] = {}


def register_nav(*entries: NavEntry) -> None:
    """Adds navigation entries (keyed by url name: registering one again replaces it)."""
    for entry in entries:
        _NAV[entry.url_name] = entry


def register_home_cards(name: str, source: HomeCards, *, order: int = 500) -> None:
    """Adds a source of home-page cards (keyed by name: registering it again replaces it)."""
    _HOME_CARDS[name] = (order, source)


def nav_entries() -> list[NavEntry]:
    return sorted(_NAV.values(), key=lambda e: e.order)


def home_card_sources() -> list[HomeCards]:
    return [source for _order, source in sorted(_HOME_CARDS.values(), key=lambda pair: pair[0])]


# --- The workbench (工作台): to-do sources ------------------------------------------------------


@dataclass(frozen=True)
class TodoItem:
    """One thing the viewer has to do, one click from its action.

    ``kind``: what sort of work (e.g. 待接单), ``title``/``detail``: what it is about, ``url``: the page where the
    action is, ``action``: the button's label. ``due``: the deadline (None: no deadline), ``due_label``: the time
    left or overdue as text (a phone shows no hover text), ``css``: the status tag colour (status-overdue …)."""

    kind: str | Promise
    title: str
    url: str
    action: str | Promise
    detail: str = ""
    due: Any = None
    due_label: str = ""
    css: str = "status-open"
    overdue: bool = False


@dataclass(frozen=True)
class TodoGroup:
    """A source's to-do of one kind for one viewer: how many in all (``total``, ``overdue``), the list page
    filtered to them (``url``) and the most urgent few (``items``)."""

    label: str | Promise
    total: int
    url: str = ""
    overdue: int = 0
    items: tuple[TodoItem, ...] = ()


# A to-do source: (viewer, limit) → groups (empty when the viewer has nothing of that kind to do).
TodoSource = Callable[[Any, int], Iterable[TodoGroup]]

_TODO: dict[str, tuple[int, TodoSource]] = {}


def register_todo(name: str, source: TodoSource, *, order: int = 500) -> None:
    """Adds a source of workbench to-do items (keyed by name: registering it again replaces it). Each app
    registers its own in its AppConfig.ready(); the shell's workbench merges them, overdue first."""
    _TODO[name] = (order, source)


def todo_sources() -> list[TodoSource]:
    return [source for _order, source in sorted(_TODO.values(), key=lambda pair: pair[0])]
