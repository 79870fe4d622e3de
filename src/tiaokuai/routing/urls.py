from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("suggest/", views.suggestions, name="suggest"),
    path("retrain/", views.retrain, name="retrain"),
]
