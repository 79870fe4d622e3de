import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def secret_digest(secret: str) -> str:
    """What is stored of a secret we issue (an API token, an Open311 key, a recovery code): its sha256, hex. The
    secrets are long and random, so an indexed look-up by digest is safe and needs no slow password hash."""
    return hashlib.sha256((secret or "").encode()).hexdigest()

class AuditEvent(models.Model):
    """Append-only record of every write: who, when, what, before/after."""

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Tamper evidence (core.audit.seal_pending): the event's place in the chain and the sha256 of the previous
    # seal and this event's content. Empty until the sweep seals it (within a minute of commit).
    seal_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    seal = models.CharField(max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Granted by a superuser in the admin to a named account (or a group): lists exported with personal data
        # unmasked, each export audited with its purpose and row count (core.personal, ADR 0009).
        permissions = [("export_unmasked", _("Can export lists with personal data unmasked"))]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class ApiToken(models.Model):
    """Bearer token for the JSON API. Only its sha256 digest is stored (unique index: one look-up per request,
    no slow hash); the token is shown once. A token works until it expires or is revoked, and only while the
    user's password is the one it was issued under (auth_hash, like Django's sessions): a password change,
    wherever it is made, ends every token issued before it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=60, blank=True, default="")
    auth_hash = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"token of {self.user_id}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return secret_digest(key)


class LoginThrottle(models.Model):
    """Failed sign-ins of one account (scope "account", key = lower-cased user name) or one address (scope
    "address", key = client IP) and the time until which further attempts are refused (core.throttle)."""

    scope = models.CharField(max_length=10)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_unique_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"


class CalendarDay(models.Model):
    """An override of the official working calendar for one day (a holiday or make-up working day
    published after the installed calendar package, or a local arrangement)."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'working' if self.is_working else 'day off'}"


class NumberCounter(models.Model):
    """The last number handed out for one kind (prefix) on one day (Asia/Shanghai date): PREFIX-YYYYMMDD-NNNN.

    On SQLite `last` is the floor bulk loaders `advance` (the IMMEDIATE transaction serialises writers). On
    PostgreSQL a kind with its own sequence takes nextval - `base`, the base set by the day's first number; a kind
    without one increments `last`, holding the row lock until commit (core.numbering, ADR 0017)."""

    prefix = models.CharField(_("prefix"), max_length=16)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number"), default=0)
    # PostgreSQL, kinds with their own sequence (ADR 0017): the day's numbers are nextval - base.
    base = models.BigIntegerField(_("sequence base"), null=True, blank=True)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="number_counter_unique_prefix_day")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"


class AttachmentBase(models.Model):
    """A stored file and what is known about it; a concrete attachment adds what it hangs off. Written through
    core.attachments (type by magic bytes, size limits, generated stored names) and served by
    core.attachments.serve after the owner's access check."""

    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class TwoFactor(models.Model):
    """A user's TOTP second factor (RFC 6238, core.twofactor): the shared secret, set when enrolment starts and
    in force from the moment the user confirms it with a code (confirmed_at). last_step is the last accepted
    30-second step: a code is accepted once (no replay within its window)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"


class RecoveryCode(models.Model):
    """One-time codes for signing in without the authenticator app: only the sha256 of each (random, 50 bits)
    code is kept; a used code is marked and never accepted again. Replaced as a set."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_user_hash")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
