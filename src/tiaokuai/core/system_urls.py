"""System pages under /system/, namespace "core": notifications inbox, outbox, working calendar."""

from django.urls import path

from . import system_views

urlpatterns = [
    path("inbox/", system_views.inbox, name="inbox"),
    path("inbox/<int:notification_id>/read/", system_views.inbox_mark_read, name="inbox_read"),
    path("inbox/read-all/", system_views.inbox_mark_all_read, name="inbox_read_all"),
    path("outbox/", system_views.outbox, name="outbox"),
    path("outbox/<int:delivery_id>/retry/", system_views.outbox_retry, name="outbox_retry"),
    path("calendar/", system_views.calendar, name="calendar"),
    path("calendar/<int:year>/", system_views.calendar, name="calendar_year"),
    path("calendar/<int:year>/clear/", system_views.calendar_clear, name="calendar_clear"),
]
