from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
]
