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
    must be unexpired, unrevoked and issued under the user's current password (auth_hash). Read on every request
    (revocation and deactivation refuse the very next request in every worker): one plain statement built once per
    connection vendor (_token_lookup), the user row converted by its fields as the ORM would."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils.crypto import constant_time_compare

    connection = connections[DEFAULT_DB_ALIAS]  # once: each access through django.db.connection looks it up again
    sql, fields, converters, user_model, attnames = _token_lookup(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ApiToken.hash_key(key), connection.ops.adapt_datetimefield_value(at), True])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, field, convs in zip(row, fields, converters, strict=True):
        for conv in convs:
            value = conv(value, field, connection)
        values.append(value)
    token_id, auth_hash, last_used_at, *user_values = values
    user = user_model.from_db(connection.alias, attnames, user_values)
    if not constant_time_compare(auth_hash, user.get_session_auth_hash()):
        return None
    if last_used_at is None or (at - last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=at)  # at most one write per token per 5 minutes
    setattr(user, "_api_token_id", token_id)  # noqa: B010 - the API's token list marks the current one
    return user


def _user_model() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()


_TokenLookup = tuple[str, list[Any], list[list[Any]], Any, list[str]]
_TOKEN_LOOKUPS: dict[str, _TokenLookup] = {}


def _token_lookup(vendor: str) -> _TokenLookup:
    """(SQL, the columns' expressions, each column's converters, the user model, its attnames) of token_user's one
    statement: the token's id, auth hash and last use, and the user's every column — what
    `ApiToken.objects.select_related("user").filter(…)` reads, without compiling the query on every request."""
    hit = _TOKEN_LOOKUPS.get(vendor)
    if hit is not None:
        return hit
    from django.db import connection

    user_model = _user_model()
    qn = connection.ops.quote_name

    def field(model: Any, name: str) -> Any:
        return model._meta.get_field(name)

    def col(model: Any, name: str) -> str:
        return qn(field(model, name).column)

    token_cols = [field(ApiToken, n).get_col("t") for n in ("id", "auth_hash", "last_used_at")]
    user_cols = [f.get_col("u") for f in user_model._meta.concrete_fields]
    cols = token_cols + user_cols
    sql = ("SELECT {} FROM {} t JOIN {} u ON u.{} = t.{} WHERE t.{} = %s AND t.{} IS NULL AND t.{} > %s "  # noqa: S608
           "AND u.{} = %s LIMIT 1").format(
        ", ".join(f"{c.alias}.{qn(c.target.column)}" for c in cols), qn(ApiToken._meta.db_table),
        qn(user_model._meta.db_table), qn(user_model._meta.pk.column), col(ApiToken, "user"),
        col(ApiToken, "key_hash"), col(ApiToken, "revoked_at"), col(ApiToken, "expires_at"),
        col(user_model, "is_active"))
    converters = [connection.ops.get_db_converters(c) + c.get_db_converters(connection) for c in cols]
    _TOKEN_LOOKUPS[vendor] = (sql, cols, converters, user_model, [f.attname for f in user_model._meta.concrete_fields])
    return _TOKEN_LOOKUPS[vendor]


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

