"""Reads for notifications, scoped to the viewer: a user sees only their own notifications; the
outbox (every delivery) is for the establishment office only."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from tiaokuai.core.access import Viewer
from tiaokuai.core.errors import NotFound
from tiaokuai.org.choices import Role

from .choices import DeliveryState
from .models import Delivery, Notification


def inbox(viewer: Viewer, *, unread_only: bool = False, q: str = "") -> QuerySet[Notification]:
    """The viewer's notifications (those whose title or text hold `q`), unread first, newest first."""
    if not viewer.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=viewer.user_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    # `unread` as an annotation: the ordering's keys are then names a keyset cursor can follow (core.paging), and
    # the expression is the one the index notify_inbox_order_idx holds.
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return qs.annotate(unread=unread).order_by("-unread", "-created_at", "-id")


def unread_count(viewer: Viewer) -> int:
    if not viewer.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=viewer.user_id, read_at__isnull=True).count()


def notification_get(viewer: Viewer, notification_id: int) -> Notification:
    row = inbox(viewer).filter(pk=notification_id).first()
    if row is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("Notification not found."))
    return row


def may_see_outbox(viewer: Viewer) -> bool:
    return viewer.has_role(Role.ESTABLISHMENT_OFFICE)


def outbox(viewer: Viewer, *, state: str = "", channel: str = "", q: str = "") -> QuerySet[Delivery]:
    """Every delivery with its state, for the establishment office; nothing for anyone else."""
    if not may_see_outbox(viewer):
        return Delivery.objects.none()
    qs = Delivery.objects.select_related("notification__recipient__person")
    if state in DeliveryState.values:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(
            Q(notification__title__icontains=q)
            | Q(notification__recipient__username__icontains=q)
            | Q(notification__recipient__person__name__icontains=q)
        )
    return qs.order_by("-created_at", "-id")


def outbox_counts(viewer: Viewer) -> dict[str, int]:
    if not may_see_outbox(viewer):
        return {}
    from django.db.models import Count

    rows = Delivery.objects.values("state").annotate(n=Count("id"))
    counts = {s: 0 for s in DeliveryState.values}
    counts.update({r["state"]: r["n"] for r in rows})
    return counts
