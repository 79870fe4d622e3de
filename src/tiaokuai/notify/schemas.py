from datetime import datetime

from ninja import Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class DeliveryOut(Schema):
    id: int
    notification_id: int
    recipient_id: int
    channel: str
    state: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_recipient_id(obj) -> int:
        return obj.notification.recipient_id
