from typing import Any

from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.registry import home_card_sources


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    """Figures for the home page, each from the app that owns it (registered in its AppConfig.ready())."""
    cards: list[dict[str, Any]] = []
    for source in home_card_sources():
        cards += source(viewer)
    return cards or [{"label": _("Welcome"), "value": "", "url_name": None}]
