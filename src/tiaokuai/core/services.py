from datetime import date, datetime
from typing import Any

from django.db import transaction

from . import audit
from .models import ApiToken, CalendarDay


@transaction.atomic
def token_issue(*, user: Any, at: datetime) -> str:
    """Issues a new API token for the user; the plain token is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), created_at=at)
    audit.log(actor=user, action="core.token_issue", obj=token, after={"user": user.pk})
    return key


# --- Working calendar overrides (establishment office) -------------------------------------------


def _calendar_writer(actor: Any) -> None:
    from django.utils.translation import gettext as _

    from .access import viewer_for
    from .errors import NotFound

    if not viewer_for(actor).has_role("establishment_office"):
        raise NotFound(_("Page not found."))


@transaction.atomic
def calendar_day_set(*, actor: Any, day: date, is_working: bool, note: str = "") -> CalendarDay:
    """Override the official calendar for one day (holiday or make-up working day)."""
    from django.utils import timezone

    from . import worktime

    _calendar_writer(actor)
    row = CalendarDay.objects.filter(date=day).first()
    before = audit.snapshot(row, ["date", "is_working", "note"]) if row else None
    values = {"is_working": bool(is_working), "note": (note or "").strip()[:200],
              "updated_at": timezone.now(), "updated_by": actor}
    if row is None:
        row = CalendarDay.objects.create(date=day, **values)
    else:
        CalendarDay.objects.filter(pk=row.pk).update(**values)
        row.refresh_from_db()
    audit.log(actor=actor, action="core.calendar_day_set", obj=row, before=before,
              after=audit.snapshot(row, ["date", "is_working", "note"]))
    worktime.clear_cache()
    transaction.on_commit(worktime.clear_cache)
    return row


@transaction.atomic
def calendar_day_clear(*, actor: Any, day: date) -> bool:
    """Remove the override for a day (the official calendar applies again). False if none existed."""
    from . import worktime

    _calendar_writer(actor)
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        return False
    audit.log(actor=actor, action="core.calendar_day_clear", obj=row,
              before=audit.snapshot(row, ["date", "is_working", "note"]), after=None)
    row.delete()
    worktime.clear_cache()
    transaction.on_commit(worktime.clear_cache)
    return True


def token_user(key: str, *, at: datetime) -> Any:
    """The active user of a bearer token, or None: one indexed look-up by the token's sha256 digest."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(api_tokens__key_hash=ApiToken.hash_key(key), is_active=True)
    return next(iter(users[:1]), None)
