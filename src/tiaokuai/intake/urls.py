from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_code, name="track_code"),
    path("hotline/", views.hotline, name="hotline"),
    path("field/", views.field, name="field"),
    path("inbox/", views.inbox, name="inbox"),
    path("supervision/", views.supervision, name="supervision"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("figures/", views.figures, name="figures"),
    path("supervision/items/", views.supervision_items, name="supervision_items"),
    path("supervision/units/<int:pk>/", views.supervision_unit, name="supervision_unit"),
    path("supervision/<int:pk>/<str:action>/", views.supervision_action, name="supervision_action"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
    path("sms/reply/", views.sms_reply, name="sms_reply"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("dispatches/<int:pk>/<str:action>/", views.dispatch_action, name="dispatch_action"),
]
