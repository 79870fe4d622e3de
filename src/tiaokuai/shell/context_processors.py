from django.conf import settings
from django.urls import NoReverseMatch, reverse

from tiaokuai.core.access import viewer_for

from .navigation import nav_for


def shell(request):
    viewer = viewer_for(getattr(request, "user", None))
    context = {"viewer": viewer, "site_title": settings.TIAOKUAI["SITE_TITLE"]}
    if viewer.is_authenticated:
        context["nav_sections"] = nav_for(viewer, request.path)
        context["unread_count"] = _unread_count(request.user)
        context["viewer_unit"] = _unit_name(viewer)
        try:
            context["inbox_url"] = reverse("notify:inbox")
        except NoReverseMatch:
            context["inbox_url"] = None
    return context


def _unit_name(viewer) -> str:
    from tiaokuai.org.models import Organisation

    if viewer.primary_organisation_id is None:
        return ""
    return Organisation.objects.filter(pk=viewer.primary_organisation_id).values_list("name", flat=True).first() or ""


def _unread_count(user) -> int:
    from tiaokuai.notify.models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
