from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryState


class Notification(models.Model):
    """One in-app message to one user — or, with no user, a text message to a phone number (`to_phone`, e.g. a
    citizen's satisfaction callback: `body` is the text). What happened is in kind/title/body; url points at the
    object."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"), null=True, blank=True,
    )
    to_phone = models.CharField(_("phone number"), max_length=20, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Sweep-only channels (e.g. "log") whose Delivery rows the notify.retry sweep still has to write
    # (comma-separated; "" once written): the notification row is the outbox record until then, committed with
    # the business change — one INSERT per recipient batch on the write path instead of two.
    pending_channels = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notify_inbox_idx"),
            # The inbox's own order (selectors.inbox: unread first, newest first) as an index, so a page is a
            # range of it instead of a sort of everything the recipient ever got.
            models.Index(models.F("recipient"),
                         models.ExpressionWrapper(models.Q(read_at__isnull=True),
                                                  output_field=models.BooleanField()).desc(),
                         models.F("created_at").desc(), models.F("id").desc(), name="notify_inbox_order_idx"),
            # The few notifications whose deliveries are still to be written (the sweep's first look:
            # pending_channels > '', a range of this index; a partial index would not serve a bound parameter
            # on SQLite).
            models.Index(fields=["pending_channels"], name="notify_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(recipient__isnull=False) | ~models.Q(to_phone=""),
                                   name="notify_notification_has_recipient"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """Sending one notification over one outside channel (log, SMS, e-mail): the outbox row.

    Attempts are claimed with compare-and-set on (state, attempts); a failure schedules the next
    attempt with exponential back-off; after the last allowed attempt the row is dead (visible on
    the outbox page, never dropped)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notify_delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.notification_id} ({self.state})"
