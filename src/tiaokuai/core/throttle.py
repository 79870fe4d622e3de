"""Brute-force protection of sign-in, per account and per address, with back-off (MLPS 2.0 identification).

Every sign-in (the login page, POST /api/v1/auth/token, the admin) goes through Django's authenticate() and so
through ThrottledModelBackend: while the account or the address is locked, even the right password is refused
without being checked. After ACCOUNT_LIMIT failed attempts in a row an account is locked for LOCK_SECONDS,
and each further failure doubles the lock (up to MAX_LOCK_SECONDS); ADDRESS_LIMIT failures from one address
(several accounts behind one office NAT share it, so the limit is higher) lock the address the same way.
A successful sign-in clears the account's count. Counts live in the database (LoginThrottle), so every web
worker sees the same numbers; a run of failures older than FORGET_SECONDS starts again from zero.

The backend cannot return why it refused (authenticate() turns PermissionDenied into None), so it leaves the
seconds to wait on the request (request.login_locked_for) for the caller to show."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import LoginThrottle

ACCOUNT, ADDRESS = "account", "address"


def _conf(name: str) -> int:
    return int(settings.TIAOKUAI[name])


def client_address(request: Any) -> str:
    """The caller's IP: REMOTE_ADDR, or, behind TIAOKUAI_PROXY_HOPS trusted reverse proxies, the address the
    outermost trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it)."""
    meta = getattr(request, "META", {}) or {}
    hops = _conf("PROXY_HOPS")
    if hops > 0:
        forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:150]
    return str(meta.get("REMOTE_ADDR", "") or "unknown")[:150]


def _keys(request: Any, username: str) -> list[tuple[str, str]]:
    return [(ACCOUNT, (username or "").strip().lower()[:150]), (ADDRESS, client_address(request))]


def locked_for(request: Any, username: str, *, now: dt.datetime | None = None) -> int:
    """Seconds until this account and this address may try again (0: not locked)."""
    now = now or timezone.now()
    wait = 0
    for row in LoginThrottle.objects.filter(locked_until__gt=now).filter(
            _match(_keys(request, username))).only("locked_until"):
        wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
    return wait


def _match(keys: list[tuple[str, str]]) -> Any:
    from django.db.models import Q

    q = Q(pk__in=[])
    for scope, key in keys:
        q |= Q(scope=scope, key=key)
    return q


def _lock_seconds(failures: int, limit: int) -> int:
    if failures < limit:
        return 0
    return min(_conf("LOGIN_LOCK_SECONDS") * 2 ** min(failures - limit, 16), _conf("LOGIN_MAX_LOCK_SECONDS"))


def record_failure(request: Any, username: str, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    forget_before = now - dt.timedelta(seconds=_conf("LOGIN_FORGET_SECONDS"))
    limits = {ACCOUNT: _conf("LOGIN_ACCOUNT_LIMIT"), ADDRESS: _conf("LOGIN_ADDRESS_LIMIT")}
    for scope, key in _keys(request, username):
        if not key:
            continue
        with transaction.atomic():
            # Compare-and-set counters: a run of failures older than FORGET_SECONDS starts again.
            LoginThrottle.objects.filter(scope=scope, key=key, last_failure_at__lt=forget_before).update(
                failures=0, locked_until=None)
            updated = LoginThrottle.objects.filter(scope=scope, key=key).update(
                failures=F("failures") + 1, last_failure_at=now)
            if not updated:
                try:
                    with transaction.atomic():
                        LoginThrottle.objects.create(scope=scope, key=key, failures=1, last_failure_at=now)
                except IntegrityError:  # a parallel failure created it first
                    LoginThrottle.objects.filter(scope=scope, key=key).update(
                        failures=F("failures") + 1, last_failure_at=now)
            failures = LoginThrottle.objects.filter(scope=scope, key=key).values_list("failures", flat=True).first()
            seconds = _lock_seconds(failures or 0, limits[scope])
            if seconds:
                LoginThrottle.objects.filter(scope=scope, key=key).update(
                    locked_until=now + dt.timedelta(seconds=seconds))


def record_success(request: Any, username: str) -> None:
    LoginThrottle.objects.filter(scope=ACCOUNT, key=(username or "").strip().lower()[:150]).delete()


class ThrottledModelBackend(ModelBackend):
    """ModelBackend behind the per-account and per-address lock (see the module's docstring)."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:  # no caller address (management commands, test helpers): nothing to throttle
            return super().authenticate(request, username=username, password=password, **kwargs)
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        wait = locked_for(request, username or "")
        if wait:
            request.login_locked_for = wait
            raise PermissionDenied  # authenticate() stops here: no other backend, no password check
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username or "")
            wait = locked_for(request, username or "")
            if wait:
                request.login_locked_for = wait
        else:
            from .twofactor import enabled

            if not enabled(user):  # with a second factor, the count is cleared only once the code is right too
                record_success(request, username or "")
        return user


def locked_message(seconds: int) -> str:
    """What a person is told while locked out (login page and API), in the active language."""
    from django.utils.translation import ngettext

    minutes = max(1, (seconds + 59) // 60)
    return ngettext("Too many failed sign-ins. Try again in %(minutes)d minute.",
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.", minutes) % {"minutes": minutes}
