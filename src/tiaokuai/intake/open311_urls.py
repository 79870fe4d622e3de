"""/open311/v2/ (GeoReport v2); each resource as .json or .xml."""

from django.urls import path, re_path

from . import open311

app_name = "open311"
urlpatterns = [
    path("", open311.discovery, name="root"),
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery"),
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]+)\.(?P<fmt>json|xml)$", open311.request_one, name="request"),
    re_path(r"^servicerequestupdates\.(?P<fmt>json|xml)$", open311.updates, name="updates"),
    path("media/<str:token>", open311.media, name="media"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>json|xml)$", open311.token, name="token"),
]
