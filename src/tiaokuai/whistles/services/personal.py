"""The audited reveal of what people typed into a whistle (core.personal.record_reveal): every page and the API
show its description, notes, reasons and comments with phone and ID numbers masked; a party that needs them
reveals one whistle with a stated purpose."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.core.personal import record_reveal

from ..access import access_whistle, may_reveal_whistle
from ..models import Whistle

#: The free-text fields a reveal unmasks (on the whistle and its dispatches, notes, ratings, disputes).
REVEALED_FIELDS = ("description", "outcome_note", "notes", "reasons", "comments")


@transaction.atomic
def whistle_reveal(*, actor: Any, whistle_id: Any, purpose: str) -> Whistle:
    """Audit one reveal of a whistle's free text; a viewer who sees it but does not work it (leaders,
    supervision) is refused as "not found", a reveal without a purpose is Invalid; nothing is written then."""
    whistle = access_whistle(actor, whistle_id, "view")
    dispatches = list(whistle.dispatches.select_related("organisation"))
    if not may_reveal_whistle(viewer_for(actor), whistle, dispatches):
        raise NotFound(_("Whistle not found."))
    record_reveal(actor=actor, obj=whistle, fields=REVEALED_FIELDS, purpose=purpose)
    return whistle
