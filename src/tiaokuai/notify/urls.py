from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.to_inbox, name="index"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
]
