"""Writes for notifications: create (with outbox rows), mark read, attempt and retry deliveries.

notify() is called inside the caller's business transaction. It only inserts rows; sending is
deferred with transaction.on_commit to a django.tasks task, so a rolled-back action notifies nobody
and a failing channel can never roll back the action (the failure is recorded on the Delivery row
and retried by the `notify.retry` sweep)."""

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit, inserts
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.core.personal import mask_text
from tiaokuai.org.choices import Role

from .channels import PermanentError, enabled_channels, get_channel
from .choices import OPEN_STATES, DeliveryState
from .models import Delivery, Notification

logger = logging.getLogger("tiaokuai.notify")

MAX_ERROR_CHARS = 2000
FIRST_ATTEMPT_GRACE = timedelta(minutes=1)


def backoff_minutes() -> list[int]:
    """Wait before attempt 2, 3, …: default 1, 2, 4, 8, 16 minutes."""
    steps: Any = settings.TIAOKUAI.get("NOTIFY_BACKOFF_MINUTES", [1, 2, 4, 8, 16])
    return [int(m) for m in steps]


def max_attempts() -> int:
    """After this many failed attempts a delivery is dead (default: one more than the back-off steps)."""
    value: Any = settings.TIAOKUAI.get("NOTIFY_MAX_ATTEMPTS", len(backoff_minutes()) + 1)
    return int(value)


def retry_delay(attempts: int) -> timedelta:
    """Delay after the `attempts`-th failed attempt (1-based)."""
    steps = backoff_minutes() or [1]
    index = min(attempts, len(steps)) - 1
    return timedelta(minutes=steps[max(index, 0)])


def sweep_channels() -> set[str]:
    """Channels the notify.retry sweep sends on its next tick without a task of their own (default: the log
    channel — writing a log line needs no prompt worker). Their deliveries are due at once."""
    return set(settings.TIAOKUAI.get("NOTIFY_SWEEP_CHANNELS", ["log"]))


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: models.Model | None = None,
    channels: Sequence[str] | None = None,
) -> list[Notification]:
    """One in-app Notification per recipient (duplicates and inactive users skipped), in one INSERT, and one
    Delivery per (recipient, prompt channel) in a second; after the surrounding transaction commits ONE task
    sends those. Sweep-only channels (e.g. "log") get no row here: the notification records them
    (pending_channels) and the notify.retry sweep writes their deliveries and sends them on its next tick — so
    with only sweep-only channels the write path is one INSERT. Every delivery becomes an outbox row either way,
    so a failure stays visible."""
    now = timezone.now()
    channel_names = list(dict.fromkeys(enabled_channels() if channels is None else channels))
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    object_type = audit.object_type_of(obj) if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    deferred = sweep_channels()
    # Sweep-only channels: their Delivery rows are written by the notify.retry sweep (expand_pending), so the
    # write path inserts only the notifications; prompt channels get theirs now (their task needs the ids).
    lazy = [name for name in channel_names if name in deferred]
    eager = [name for name in channel_names if name not in deferred]
    # savepoint=False: inside the caller's transaction no savepoint is needed (an error rolls back the caller's
    # whole transaction anyway); outside one, this opens a transaction so rows and deliveries commit together.
    with transaction.atomic(savepoint=False):
        # Phone and ID numbers typed into a description never travel in a notification (in-app, SMS, e-mail).
        kind, title, url, body = kind[:60], mask_text(title)[:200], url[:500], mask_text(body)
        notifications = inserts.insert_many([
            Notification(recipient=user, kind=kind, title=title, body=body, url=url,
                         object_type=object_type, object_id=object_id, created_at=now,
                         pending_channels=",".join(lazy))
            for user in users
        ])
        if not eager:
            return notifications
        deliveries = inserts.insert_many(
            [
                # Prompt channels: the task sends at once; the sweep takes over only if the task never ran.
                Delivery(notification=n, channel=name, created_at=now, updated_at=now,
                         next_attempt_at=now + FIRST_ATTEMPT_GRACE)
                for n in notifications
                for name in eager
            ]
        )
        # core.inserts reads every new id back (RETURNING), so the prompt deliveries are known by id.
        ids = [d.pk for d in deliveries if d.channel not in deferred]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return notifications


def text_message(*, phone: str, text: str, kind: str, obj: models.Model | None = None) -> Notification:
    """A text message to a phone number that is no user's (a citizen): one Notification without a recipient
    (`to_phone`, the text as its body) and its "sms" Delivery — the same outbox rows, retries and back-off as any
    other delivery. Inside the caller's transaction; sent after it commits."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        n = Notification.objects.create(recipient=None, to_phone=phone[:20], kind=kind[:60], title=text[:200],
                                        body=text, object_type=audit.object_type_of(obj) if obj is not None else "",
                                        object_id=str(obj.pk) if obj is not None else "", created_at=now)
        deferred = "sms" in sweep_channels()
        d = Delivery.objects.create(notification=n, channel="sms", created_at=now, updated_at=now,
                                    next_attempt_at=now if deferred else now + FIRST_ATTEMPT_GRACE)
        if not deferred:
            transaction.on_commit(lambda: _enqueue([d.pk]), robust=True)
    return n


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import send_deliveries

    try:
        send_deliveries.enqueue(delivery_ids=delivery_ids)
    except Exception:
        # The rows stay pending and the notify.retry sweep sends them within a minute.
        logger.exception("could not enqueue deliveries %s; the retry sweep will pick them up", delivery_ids)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Try one delivery once (system action, no actor). Claims the attempt with compare-and-set on
    (state, attempts) so two workers never send the same attempt; returns the resulting state, or
    "skipped" when it was not due or someone else claimed it."""
    now = now or timezone.now()
    row = (
        Delivery.objects.filter(pk=delivery_id, state__in=OPEN_STATES)
        .select_related("notification__recipient__person")
        .first()
    )
    if row is None:
        return "skipped"
    # A retry waits for its back-off; the first attempt (from the on-commit task) goes at once.
    if row.attempts > 0 and row.next_attempt_at is not None and row.next_attempt_at > now:
        return "skipped"
    attempt = row.attempts + 1
    # Claim: the lease is the back-off delay, so a worker dying mid-send leads to a normal retry.
    claimed = Delivery.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
        attempts=attempt, next_attempt_at=now + retry_delay(attempt), updated_at=now
    )
    if not claimed:
        return "skipped"
    try:
        get_channel(row.channel).send(row.notification)
    except Exception as exc:
        permanent = isinstance(exc, PermanentError)
        dead = permanent or attempt >= max_attempts()
        state = DeliveryState.DEAD if dead else DeliveryState.FAILED
        message = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        Delivery.objects.filter(pk=row.pk, attempts=attempt).update(
            state=state, last_error=message, updated_at=timezone.now(),
            next_attempt_at=None if dead else now + retry_delay(attempt),
        )
        log = logger.error if dead else logger.warning
        log("delivery %s over %s failed (attempt %s, %s): %s", row.pk, row.channel, attempt, state, message)
        return str(state)
    Delivery.objects.filter(pk=row.pk, attempts=attempt).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), updated_at=timezone.now(), next_attempt_at=None,
    )
    return str(DeliveryState.SENT)


def expand_pending(*, now: datetime, limit: int = 2000) -> int:
    """Write the Delivery rows of sweep-only channels that notify() left to the sweep (due now), and clear the
    notifications' pending_channels — in one transaction per batch; the number of deliveries written. Two
    sweepers at once: the unique (notification, channel) constraint and ignore_conflicts keep one row each."""
    written = 0
    while True:
        with transaction.atomic():
            rows = list(Notification.objects.filter(pending_channels__gt="").order_by("id")
                        .values_list("pk", "pending_channels")[:limit])
            if not rows:
                return written
            Delivery.objects.bulk_create(
                [Delivery(notification_id=pk, channel=name, created_at=now, updated_at=now, next_attempt_at=now)
                 for pk, channels in rows for name in channels.split(",") if name],
                ignore_conflicts=True)
            Notification.objects.filter(pk__in=[pk for pk, _c in rows]).update(pending_channels="")
            written += sum(len([c for c in channels.split(",") if c]) for _pk, channels in rows)
        if len(rows) < limit:
            return written


def retry_due(*, now: datetime, limit: int = 500, budget_seconds: float = 20.0) -> dict[str, int]:
    """Write the deliveries notify() left to the sweep (expand_pending), then send every open delivery whose
    next attempt is due (the notify.retry sweep), in batches of `limit`, until none is left or the tick's time
    budget is spent — so a burst of notifications drains within a few ticks instead of 500 a minute."""
    counts = {"due": 0, "sent": 0, "failed": 0, "dead": 0, "skipped": 0}
    counts["expanded"] = expand_pending(now=now)
    started = time.monotonic()
    while True:
        due_ids = list(
            Delivery.objects.filter(state__in=OPEN_STATES, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        counts["due"] += len(due_ids)
        for pk in due_ids:
            result = delivery_attempt(delivery_id=pk, now=now)
            counts[result] = counts.get(result, 0) + 1
        if len(due_ids) < limit or time.monotonic() - started > budget_seconds:
            return counts


def notification_mark_read(*, actor: Any, notification_id: int) -> None:
    """Mark one of the actor's own notifications read (idempotent). Someone else's → NotFound.
    Reading is not a governance action: no audit event (the row's read_at is the record)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound(_("Notification not found."))
    row = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if row is None:
        raise NotFound(_("Notification not found."))
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_all_read(*, actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise NotFound(_("Notification not found."))
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def delivery_retry(*, actor: Any, delivery_id: int) -> Delivery:
    """The establishment office sends a failed or dead delivery again now (attempts restart)."""
    viewer = viewer_for(actor)
    if not viewer.has_role(Role.ESTABLISHMENT_OFFICE):
        raise NotFound(_("Delivery not found."))
    row = Delivery.objects.filter(pk=delivery_id).first()
    if row is None:
        raise NotFound(_("Delivery not found."))
    if row.state not in (DeliveryState.FAILED, DeliveryState.DEAD):
        raise Conflict(_("Only failed deliveries can be sent again."), code="invalid_transition")
    before = audit.snapshot(row, ["state", "attempts", "last_error"])
    now = timezone.now()
    updated = Delivery.objects.filter(pk=row.pk, state=row.state, attempts=row.attempts).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, updated_at=now
    )
    if not updated:
        raise Conflict(
            _("The record was changed by someone else or is no longer in the expected state; reload and try again."),
            code="state_conflict",
        )
    row.refresh_from_db()
    audit.log(actor=actor, action="notify.delivery_retry", obj=row, before=before,
              after=audit.snapshot(row, ["state", "attempts"]))
    transaction.on_commit(lambda: _enqueue([row.pk]), robust=True)
    return row
