"""Notification pages. Mounted at the site root: the inbox and outbox keep their /system/ addresses."""

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.to_inbox, name="index"),
    path("notifications/<int:notification_id>/open/", views.open_notification, name="open"),
    path("system/inbox/", views.inbox, name="inbox"),
    path("system/inbox/<int:notification_id>/read/", views.inbox_mark_read, name="inbox_read"),
    path("system/inbox/read-all/", views.inbox_mark_all_read, name="inbox_read_all"),
    path("system/outbox/", views.outbox, name="outbox"),
    path("system/outbox/<int:delivery_id>/retry/", views.outbox_retry, name="outbox_retry"),
]
