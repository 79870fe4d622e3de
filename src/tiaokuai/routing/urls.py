from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("suggest/", views.suggestions, name="suggest"),
    path("retrain/", views.retrain, name="retrain"),
    path("vocabulary/", views.vocabulary, name="vocabulary"),
    path("vocabulary/<int:pk>/remove/", views.vocabulary_remove, name="vocabulary_remove"),
]
