"""The floor's URLconf: the one API."""

from django.urls import path
from floorapp.api import api

urlpatterns = [path("api/v1/", api.urls)]
