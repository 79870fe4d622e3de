"""Routing API (/api/v1/routing/…): suggestions for a text, for hotline and intake systems."""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tiaokuai.core.api import ErrorOut

from . import selectors
from .schemas import SuggestIn, SuggestionsOut

router = Router(tags=["routing"])


@router.post("/routing/suggestions", response={200: SuggestionsOut, 401: ErrorOut, 422: ErrorOut})
def suggestions(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    """Ranked matters of the list in force for a free text, with the bodies responsible."""
    version = selectors.active_version()
    return {
        "model": version,
        "suggestions": [asdict(s) for s in selectors.suggest(payload.text, k=payload.k)],
    }
