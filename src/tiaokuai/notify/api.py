from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tiaokuai.core.api import ErrorOut, Id, paging, viewer
from tiaokuai.core.errors import NotFound

from . import selectors, services
from .schemas import DeliveryOut, NotificationOut, UnreadOut

router = Router(tags=["notifications"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
NotificationPage = paging(50, 200)


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS})
def notifications_list(request: HttpRequest, page: Query[NotificationPage], unread: bool = False):
    return list(page.window(selectors.inbox(viewer(request), unread_only=unread)))


@router.get("/notifications/unread-count", response={200: UnreadOut, **ERRORS})
def notifications_unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(viewer(request))}


@router.post("/notifications/{notification_id}/read", response={204: None, **ERRORS})
def notification_read(request: HttpRequest, notification_id: Id):
    services.notification_mark_read(actor=request.user, notification_id=notification_id)
    return Status(204, None)


@router.post("/notifications/read-all", response={200: UnreadOut, **ERRORS})
def notifications_read_all(request: HttpRequest):
    services.notification_mark_all_read(actor=request.user)
    return {"unread": 0}


@router.get("/notifications/outbox", response={200: list[DeliveryOut], **ERRORS})
def outbox_list(request: HttpRequest, page: Query[NotificationPage], state: str = "", channel: str = ""):
    v = viewer(request)
    if not selectors.may_see_outbox(v):
        raise NotFound(_("Not found."))
    return list(page.window(selectors.outbox(v, state=state, channel=channel)))


@router.post("/notifications/outbox/{delivery_id}/retry", response={200: DeliveryOut, **ERRORS})
def outbox_retry(request: HttpRequest, delivery_id: Id):
    return services.delivery_retry(actor=request.user, delivery_id=delivery_id)
