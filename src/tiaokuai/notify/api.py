from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tiaokuai.core.api import viewer
from tiaokuai.core.errors import NotFound

from . import selectors, services
from .schemas import DeliveryOut, NotificationOut, UnreadOut

router = Router(tags=["notifications"])


@router.get("/notifications", response=list[NotificationOut])
def notifications_list(request: HttpRequest, unread: bool = False, limit: int = 50, offset: int = 0):
    limit = max(1, min(limit, 200))
    return list(selectors.inbox(viewer(request), unread_only=unread)[offset:offset + limit])


@router.get("/notifications/unread-count", response=UnreadOut)
def notifications_unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(viewer(request))}


@router.post("/notifications/{notification_id}/read", response={204: None})
def notification_read(request: HttpRequest, notification_id: int):
    services.notification_mark_read(actor=request.user, notification_id=notification_id)
    return Status(204, None)


@router.post("/notifications/read-all", response=UnreadOut)
def notifications_read_all(request: HttpRequest):
    services.notification_mark_all_read(actor=request.user)
    return {"unread": 0}


@router.get("/notifications/outbox", response=list[DeliveryOut])
def outbox_list(request: HttpRequest, state: str = "", channel: str = "", limit: int = 50, offset: int = 0):
    v = viewer(request)
    if not selectors.may_see_outbox(v):
        raise NotFound(_("Not found."))
    limit = max(1, min(limit, 200))
    return list(selectors.outbox(v, state=state, channel=channel)[offset:offset + limit])


@router.post("/notifications/outbox/{delivery_id}/retry", response=DeliveryOut)
def outbox_retry(request: HttpRequest, delivery_id: int):
    return services.delivery_retry(actor=request.user, delivery_id=delivery_id)
