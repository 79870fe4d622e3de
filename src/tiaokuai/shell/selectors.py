import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import TodoGroup, TodoItem, home_card_sources, todo_sources

# How many to-do rows the workbench shows (the group counts link to the full lists).
TODO_LIMIT = 12
NOTIFICATIONS_SHOWN = 5
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    """Figures for the home page, each from the app that owns it (registered in its AppConfig.ready()).
    A card links to ``url``, or to the page named ``url_name``."""
    cards: list[dict[str, Any]] = []
    for source in home_card_sources():
        for card in source(viewer):
            card = dict(card)
            if not card.get("url"):
                try:
                    card["url"] = reverse(card["url_name"]) if card.get("url_name") else None
                except NoReverseMatch:
                    card["url"] = None
            cards.append(card)
    return cards


def _sort_key(item: TodoItem) -> tuple[int, dt.datetime]:
    return (0 if item.overdue else 1, item.due or _FAR)


def workbench(viewer: Viewer, limit: int = TODO_LIMIT) -> dict[str, Any]:
    """The viewer's to-do from every registered source: the groups (count, overdue count, filtered list) and the
    most urgent items of all of them, overdue first, then the earliest deadline (or the longest waiting)."""
    groups: list[TodoGroup] = []
    if viewer.is_authenticated:
        for source in todo_sources():
            groups += [g for g in source(viewer, limit) if g.total]
    items = sorted((item for g in groups for item in g.items), key=_sort_key)
    return {
        "groups": groups,
        "items": items[:limit],
        "total": sum(g.total for g in groups),
        "overdue": sum(g.overdue for g in groups),
    }


def recent_notifications(viewer: Viewer, n: int = NOTIFICATIONS_SHOWN) -> list[Any]:
    if not viewer.is_authenticated:
        return []
    from tiaokuai.notify import selectors as notify

    return list(notify.inbox(viewer)[:n])


def shortcuts(nav_sections: list[dict]) -> list[dict]:
    """The viewer's pages as big buttons (on a phone the left navigation is folded away)."""
    return [item for section in nav_sections for item in section["items"] if item["url"] != "/"]


def public_links() -> list[dict]:
    links = []
    try:
        links.append({"label": _("Public responsibility list"), "url": reverse("duties:public")})
    except NoReverseMatch:
        pass
    return links
