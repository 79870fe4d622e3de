from django.urls import path

from . import views

app_name = "duties"
urlpatterns = [
    path("public/", views.public_list, name="public"),
]
