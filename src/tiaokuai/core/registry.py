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
