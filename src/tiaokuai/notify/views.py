"""Small notification views; the inbox and outbox pages themselves are core:inbox / core:outbox
(tiaokuai.core.system_views)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound

from . import selectors, services


@login_required
def to_inbox(request):
    return redirect("core:inbox")


@login_required
@require_POST
def open_notification(request, notification_id: int):
    """Mark read and go to the object the notification is about."""
    try:
        row = selectors.notification_get(viewer_for(request.user), notification_id)
        services.notification_mark_read(actor=request.user, notification_id=row.pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts={request.get_host()}):
        return redirect(row.url)
    return redirect("core:inbox")
