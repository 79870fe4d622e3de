"""The shell's system pages under /system/ (the inbox and outbox under /system/ are notify's)."""

from django.urls import path

from . import views

app_name = "shell"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:year>/", views.calendar, name="calendar_year"),
    path("calendar/<int:year>/clear/", views.calendar_clear, name="calendar_clear"),
]
