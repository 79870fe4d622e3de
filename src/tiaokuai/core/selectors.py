from typing import Any

from django.utils.translation import gettext as _

from .access import Viewer


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    """Figures for the home page, each from the app that owns it."""
    from tiaokuai.duties import selectors as duties_selectors
    from tiaokuai.org import selectors as org_selectors

    cards: list[dict[str, Any]] = []
    cards += org_selectors.home_cards(viewer)
    cards += duties_selectors.home_cards(viewer)
    try:
        from tiaokuai.whistles import selectors as whistle_selectors  # type: ignore[attr-defined]
    except ImportError:
        whistle_selectors = None
    if whistle_selectors is not None and hasattr(whistle_selectors, "home_cards"):
        cards += whistle_selectors.home_cards(viewer)
    return cards or [{"label": _("Welcome"), "value": "", "url_name": None}]
