"""The optional second factor at sign-in: TOTP (RFC 6238, pyotp) with one-time recovery codes.

Who: the county-wide roles (core.access: establishment office, leaders/command centre, supervision) may enrol;
with TIAOKUAI["TOTP_REQUIRED"] the county makes it mandatory for them (TwoFactorRequiredMiddleware sends an
unenrolled one to the enrolment page before anything else; the token API refuses them).

Enrolment: enrol_start makes a secret (shown as an otpauth URI and a QR code rendered here, no network); the
factor is in force once enrol_confirm receives a right code, which also hands out RECOVERY_CODES one-time
recovery codes (only their sha256 is kept). Sign-in: after the password, the login page and POST
/api/v1/auth/token ask for a code (check_code): a wrong code counts toward core.throttle's lock like a wrong
password, and while locked even the right code is refused. A TOTP code is accepted once (last_step). disable
needs the password and a code. Every step writes an audit event (core.totp.*)."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from . import audit
from .errors import Conflict, Invalid
from .models import RecoveryCode, TwoFactor, secret_digest

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now that are accepted (clock drift of the phone)
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _totp(secret: str) -> Any:
    import pyotp

    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def required_setting() -> bool:
    return bool(settings.TIAOKUAI.get("TOTP_REQUIRED", False))


def device(user: Any) -> TwoFactor | None:
    """The user's confirmed second factor, or None (no row, or enrolment not confirmed)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def enabled(user: Any) -> bool:
    return device(user) is not None


def may_enrol(user: Any) -> bool:
    from .access import viewer_for

    return viewer_for(user).county_wide or enabled(user)


def required(user: Any) -> bool:
    """The county made the second factor mandatory and this user holds a county-wide role."""
    from .access import viewer_for

    return required_setting() and viewer_for(user).county_wide


def provisioning_uri(user: Any, secret: str) -> str:
    issuer = str(settings.TIAOKUAI.get("TOTP_ISSUER") or _("Tiaokuai"))
    return _totp(secret).provisioning_uri(name=user.get_username(), issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (segno, rendered on the server: nothing is fetched from anywhere)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code"))


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").strip().lower() if ch.isalnum())[:32]


def _step_of(secret: str, code: str, at: datetime) -> int | None:
    """The 30-second step within ±WINDOW of `at` whose code this is, or None."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = _totp(secret)
    now_step = int(at.timestamp()) // STEP_SECONDS
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if constant_time_compare(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return secret_digest(code)


def _new_recovery_codes(user: Any, at: datetime) -> list[str]:
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user_id=user.pk, code_hash=_hash(c), created_at=at) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _code_field_error(message: str | None = None) -> Invalid:
    return Invalid(_("Please correct the errors below."),
                   details={"code": [message or _("The code is wrong or has expired. Enter the current code.")]})


# --- Writes (each atomic and audited) -------------------------------------------------------------------------


@transaction.atomic
def enrol_start(*, user: Any, at: datetime) -> TwoFactor:
    """A new secret for the user (replacing an unconfirmed one); refused (Conflict) while a factor is in force."""
    import pyotp

    if not may_enrol(user):
        from .errors import NotFound

        raise NotFound(_("Page not found."))
    if enabled(user):
        raise Conflict(_("A second factor is already in force. Turn it off first to enrol a new one."))
    TwoFactor.objects.filter(user_id=user.pk).delete()
    row = TwoFactor.objects.create(user_id=user.pk, secret=pyotp.random_base32(), created_at=at)
    audit.log(actor=user, action="core.totp.start", obj=row, after={"user": user.pk})
    return row


def enrol_confirm(*, user: Any, code: str, at: datetime) -> list[str]:
    """Puts the pending factor in force if `code` is right; returns the recovery codes (shown once). A wrong code
    is audited (and refused: Invalid)."""
    row = TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=True).first()
    if row is None:
        raise Conflict(_("Start the enrolment first."))
    step = _step_of(row.secret, _normalise(code), at)
    if step is None:
        audit.log(actor=user, action="core.totp.confirm_failed", obj=row, after={"user": user.pk})
        raise _code_field_error()
    with transaction.atomic():
        if not TwoFactor.objects.filter(pk=row.pk, confirmed_at__isnull=True).update(confirmed_at=at,
                                                                                     last_step=step):
            raise Conflict(_("The enrolment changed meanwhile. Reload the page."))
        codes = _new_recovery_codes(user, at)
        audit.log(actor=user, action="core.totp.enable", obj=row,
                  after={"user": user.pk, "recovery_codes": len(codes)})
    return codes


def verify(*, user: Any, code: str, at: datetime) -> str | None:
    """How `code` was right — "totp" or "recovery" — marking it used, or None when it is not a right, unused code
    of the user's factor. Each outcome is audited (core.totp.pass / core.totp.fail)."""
    with transaction.atomic():
        row = device(user)
        if row is None:
            return None
        value = _normalise(code)
        method = None
        step = _step_of(row.secret, value, at)
        # compare-and-set on the last step: a code (or an older one) is never accepted twice
        if step is not None and TwoFactor.objects.filter(pk=row.pk, last_step__lt=step).update(last_step=step):
            method = "totp"
        elif step is None and len(value) == 10 and RecoveryCode.objects.filter(
                user_id=user.pk, code_hash=_hash(value), used_at__isnull=True).update(used_at=at):
            method = "recovery"
        if method is None:
            audit.log(actor=user, action="core.totp.fail", obj=row, after={"user": user.pk})
            return None
        left = RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()
        audit.log(actor=user, action="core.totp.pass", obj=row,
                  after={"user": user.pk, "method": method, "recovery_codes_left": left})
        return method


def disable(*, user: Any, password: str, code: str, at: datetime, request: Any = None) -> None:
    """Turns the factor off: needs the account's password and a current code (or a recovery code); with the
    request, a wrong code counts toward the sign-in lock (check_code). Refused while the county makes the factor
    mandatory for the user's role. A refused attempt is audited and changes nothing else."""
    row = device(user)
    if row is None:
        raise Conflict(_("No second factor is in force."))
    if required(user):
        raise Conflict(_("The county requires a second factor for your role; it cannot be turned off."))
    errors: dict[str, list[str]] = {}
    if not user.check_password(password or ""):
        errors["password"] = [_("Wrong password.")]
    else:
        if request is not None:
            checked = check_code(request, user, code, at=at)
            if checked.locked_for and not checked.ok:
                from .throttle import locked_message

                errors["code"] = [locked_message(checked.locked_for)]
            elif not checked.ok:
                errors["code"] = [_("The code is wrong or has expired. Enter the current code.")]
        elif verify(user=user, code=code, at=at) is None:
            errors["code"] = [_("The code is wrong or has expired. Enter the current code.")]
    if errors:
        audit.log(actor=user, action="core.totp.disable_failed", obj=row,
                  after={"user": user.pk, "fields": sorted(errors)})
        raise Invalid(_("Please correct the errors below."), details=errors)
    with transaction.atomic():
        audit.log(actor=user, action="core.totp.disable", obj=row, after={"user": user.pk})
        RecoveryCode.objects.filter(user_id=user.pk).delete()
        TwoFactor.objects.filter(pk=row.pk).delete()


def recovery_regenerate(*, user: Any, code: str, at: datetime) -> list[str]:
    """A new set of recovery codes (the old ones stop working), after a current authenticator code."""
    row = device(user)
    if row is None:
        raise Conflict(_("No second factor is in force."))
    if _step_of(row.secret, _normalise(code), at) is None or verify(user=user, code=code, at=at) != "totp":
        raise _code_field_error()
    with transaction.atomic():
        codes = _new_recovery_codes(user, at)
        audit.log(actor=user, action="core.totp.recovery_regenerate", obj=row,
                  after={"user": user.pk, "recovery_codes": len(codes)})
    return codes


# --- The second step of a sign-in (login page and token API) ---------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    locked_for: int = 0  # seconds; > 0: refused without looking at the code
    method: str | None = None


def check_code(request: Any, user: Any, code: str, *, at: datetime) -> CodeCheck:
    """The second step of a sign-in, under core.throttle's lock: while the account or address is locked even a
    right code is refused; a wrong code is a failed sign-in; a right one clears the account's count (the password
    step leaves it for this step when the user has a factor, see ThrottledModelBackend)."""
    from . import throttle

    username = user.get_username()
    wait = throttle.locked_for(request, username, now=at)
    if wait:
        return CodeCheck(ok=False, locked_for=wait)
    method = verify(user=user, code=code, at=at)
    if method is None:
        throttle.record_failure(request, username, now=at)
        return CodeCheck(ok=False, locked_for=throttle.locked_for(request, username, now=at))
    throttle.record_success(request, username)
    return CodeCheck(ok=True, method=method)
