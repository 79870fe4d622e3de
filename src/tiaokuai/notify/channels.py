"""Outside channels a notification is delivered over. Pluggable: subclass Channel, register it,
and enable it by name in settings.TIAOKUAI["NOTIFY_CHANNELS"] (default ["log"]).

A channel's send() returns normally on success and raises on failure: ChannelError (or any
exception) → retried with back-off; PermanentError → dead at once (no phone number, bad address).
"""

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from .models import Notification

logger = logging.getLogger("tiaokuai.notify")


class ChannelError(Exception):
    """Sending failed; worth trying again later."""


class PermanentError(ChannelError):
    """Sending can never succeed for this recipient (missing phone/e-mail); do not retry."""


class Channel:
    name: ClassVar[str] = ""
    label: ClassVar[Any] = ""  # what the outbox page calls it (translated)

    def send(self, notification: "Notification") -> None:
        raise NotImplementedError


class LogChannel(Channel):
    """Default: write the message to the `tiaokuai.notify` logger (for intranets without SMS)."""

    name = "log"
    label = gettext_lazy("Server log (no outside sending)")

    def send(self, notification: "Notification") -> None:
        logger.info(
            "notification %s to user %s [%s] %s %s",
            notification.pk, notification.recipient_id, notification.kind, notification.title, notification.url,
        )


def _setting(name: str, default: Any = None) -> Any:
    return settings.TIAOKUAI.get(name, default)


def _absolute(url: str) -> str:
    base = str(_setting("BASE_URL", "")).rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


class SmsChannel(Channel):
    """A text message through the SMS gateway (notify.sms: the county's gateway over HTTP, or a file): to the
    notification's phone number (a citizen) with its body as the text, or to the recipient's phone with the title
    and link. No number is a permanent error."""

    name = "sms"
    label = gettext_lazy("SMS")

    def send(self, notification: "Notification") -> None:
        from .sms import gateway

        if notification.to_phone:
            phone, text = notification.to_phone, notification.body or notification.title
        else:
            person = getattr(notification.recipient, "person", None)
            phone = getattr(person, "phone", "")
            text = notification.title
            if notification.url:
                text = f"{text} {_absolute(notification.url)}"
        if not phone:
            raise PermanentError("recipient has no phone number")
        gateway().send(phone, text)


class EmailChannel(Channel):
    """E-mail through Django's mail settings (EMAIL_HOST …)."""

    name = "email"
    label = gettext_lazy("E-mail")

    def send(self, notification: "Notification") -> None:
        address = notification.recipient.email
        if not address:
            raise PermanentError("recipient has no e-mail address")
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{_absolute(notification.url)}".strip()
        try:
            send_mail(notification.title, body, None, [address], fail_silently=False)
        except Exception as exc:
            raise ChannelError(f"mail not sent: {exc}") from exc


CHANNELS: dict[str, type[Channel]] = {c.name: c for c in (LogChannel, SmsChannel, EmailChannel)}


def register_channel(cls: type[Channel]) -> type[Channel]:
    """Add a channel class (usable as a decorator)."""
    CHANNELS[cls.name] = cls
    return cls


def enabled_channels() -> list[str]:
    return list(_setting("NOTIFY_CHANNELS", ["log"]))


def get_channel(name: str) -> Channel:
    try:
        return CHANNELS[name]()
    except KeyError:
        raise PermanentError(f"unknown channel {name!r}") from None


def channel_label(name: str) -> str:
    """The channel's name in the user's language ("log" → 系统日志…); an unknown channel keeps its code."""
    cls = CHANNELS.get(name)
    return str(cls.label) if cls is not None and cls.label else name
