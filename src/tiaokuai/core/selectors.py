from typing import Any

from django.utils.translation import gettext as _

from .access import Viewer


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    """Figures for the home page, each from the app that owns it."""
    from tiaokuai.duties import selectors as duties_selectors
    from tiaokuai.org import selectors as org_selectors
    from tiaokuai.whistles import selectors as whistle_selectors

    cards: list[dict[str, Any]] = []
    for app_selectors in (whistle_selectors, org_selectors, duties_selectors):
        home_cards_of = getattr(app_selectors, "home_cards", None)
        if home_cards_of is not None:
            cards += home_cards_of(viewer)
    return cards or [{"label": _("Welcome"), "value": "", "url_name": None}]
