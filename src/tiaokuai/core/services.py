from datetime import date, datetime
from typing import Any

from django.db import transaction

from . import audit
from .models import ApiToken, CalendarDay


@transaction.atomic
def token_issue(*, user: Any, at: datetime, name: str = "") -> str:
    """Issues a new API token for the user; the plain token is returned once and never stored. It expires
    after TIAOKUAI["API_TOKEN_DAYS"] days; beyond API_TOKENS_PER_USER live tokens the oldest are revoked."""
    from datetime import timedelta

    from django.conf import settings

    key = ApiToken.new_key()
    expires_at = at + timedelta(days=int(settings.TIAOKUAI["API_TOKEN_DAYS"]))
    token = ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), created_at=at, name=name[:60],
                                    expires_at=expires_at, auth_hash=user.get_session_auth_hash())
    audit.log(actor=user, action="core.token_issue", obj=token,
              after={"user": user.pk, "name": token.name, "expires_at": expires_at.isoformat()})
    keep = int(settings.TIAOKUAI["API_TOKENS_PER_USER"])
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=at).order_by("-created_at", "-pk")
    old = list(live.values_list("pk", flat=True)[keep:])
    if old:
        ApiToken.objects.filter(pk__in=old, revoked_at__isnull=True).update(revoked_at=at)
        audit.log(actor=user, action="core.token_revoke", obj=token, after={"tokens": old, "reason": "limit"})
    return key


@transaction.atomic
def token_revoke(*, actor: Any, token_id: int, at: datetime) -> ApiToken:
    """Revokes one of the actor's own tokens (another user's token is "not found"); revoking twice is a no-op."""
    from django.utils.translation import gettext as _

    from .errors import NotFound

    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(_("Not found."))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at):
        token.revoked_at = at
        audit.log(actor=actor, action="core.token_revoke", obj=token, after={"tokens": [token.pk]})
    else:
        token.refresh_from_db()
    return token


def token_user(key: str, *, at: datetime) -> Any:
    """The active user of a bearer token, or None: one indexed look-up by the token's sha256 digest; the token
    must be unexpired, unrevoked and issued under the user's current password (auth_hash)."""
    from django.utils.crypto import constant_time_compare

    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=at,
                     user__is_active=True).first())
    if token is None or not constant_time_compare(token.auth_hash, token.user.get_session_auth_hash()):
        return None
    if token.last_used_at is None or (at - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)  # at most one write per token per 5 minutes
    setattr(token.user, "_api_token_id", token.pk)  # noqa: B010 - the API's token list marks the current one
    return token.user


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

