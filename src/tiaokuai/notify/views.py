"""Notification pages: the inbox (every user), the outbox (establishment office), and opening a
notification. Thin: parse input, call one selector or service, render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import DomainError, NotFound
from tiaokuai.core.forms import StyledForm
from tiaokuai.core.listing import export_xlsx, form_filters, list_page, rank, xlsx_response
from tiaokuai.core.personal import mask_text

from . import selectors, services
from .channels import CHANNELS, channel_label
from .choices import DeliveryState

# --- Inbox ---------------------------------------------------------------------------------------


class InboxFilterForm(StyledForm):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Title or text"), "type": "search"}))
    unread = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=[
        ("", gettext_lazy("All")), ("1", gettext_lazy("Unread only"))])


INBOX_SORTS = {"title": "title", "time": "created_at"}


@login_required
def inbox(request):
    """The viewer's notifications (core.listing): unread first, newest first unless a column sorts them."""
    viewer = viewer_for(request.user)
    form = InboxFilterForm(request.GET or None)
    filters = form_filters(form)
    lp = list_page(request, selectors.inbox(viewer, unread_only=filters.get("unread") == "1", q=filters.get("q", "")),
                   sorts=INBOX_SORTS, filters=filters, columns=[
                       (_("State"), ""), (_("Notification"), "title"), (_("Received at"), "time"), (_("Actions"), "")])
    if lp.export:
        return xlsx_response("notifications", [_("State"), _("Title"), _("Text"), _("Received at")], (
            [_("Read") if n.read_at else _("Unread"), n.title, n.body, n.created_at] for n in lp.rows_for_export()),
            widths=(8, 40, 60, 18))
    return render(request, "notify/inbox.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "title": _("Notifications"),
    })


@login_required
@require_POST
def inbox_mark_read(request, notification_id: int):
    try:
        services.notification_mark_read(actor=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        row = selectors.notification_get(viewer_for(request.user), notification_id)
        return render(request, "notify/inbox_row.html", {"row": row, "oob_unread": True})
    return redirect(request.POST.get("next") or "notify:inbox")


@login_required
@require_POST
def inbox_mark_all_read(request):
    services.notification_mark_all_read(actor=request.user)
    return redirect("notify:inbox")


@login_required
def to_inbox(request):
    return redirect("notify:inbox")


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
    return redirect("notify:inbox")


# --- Outbox --------------------------------------------------------------------------------------


class OutboxFilter(StyledForm):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states")), *DeliveryState.choices])
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", gettext_lazy("All channels"))] + [
            (name, cls.label or name) for name, cls in CHANNELS.items()]
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)


OUTBOX_SORTS = {"created": "created_at", "state": rank("state", DeliveryState.values), "channel": "channel",
                "attempts": "attempts", "next": F("next_attempt_at")}
OUTBOX_COLUMNS = [gettext_lazy("Created"), gettext_lazy("Recipient"), gettext_lazy("Notification"),
                  gettext_lazy("Channel"), gettext_lazy("State"), gettext_lazy("Attempts"), gettext_lazy("Last error"),
                  gettext_lazy("Next attempt")]


def _recipient(d, unmasked: bool = False) -> str:
    n = d.notification
    if n.recipient_id:
        person = getattr(n.recipient, "person", None)
        return person.name if person is not None else n.recipient.username
    return n.to_phone if unmasked else mask_text(n.to_phone)


@login_required
def outbox(request):
    """Every delivery (core.listing): the state counts, filters and a search, sortable columns, newest first and
    keyset-paged (the log grows with history); ?format=xlsx exports what is filtered."""
    viewer = viewer_for(request.user)
    if not selectors.may_see_outbox(viewer):
        raise Http404
    form = OutboxFilter(request.GET or None)
    filters = form_filters(form)
    qs = selectors.outbox(viewer, state=filters.get("state", ""), channel=filters.get("channel", ""),
                          q=filters.get("q", ""))
    lp = list_page(request, qs, sorts=OUTBOX_SORTS, default="-created", filters=filters, keyset=True,
                   personal_data=True, columns=[
                       (_("Created"), "created"), (_("Recipient"), ""), (_("Notification"), ""),
                       (_("Channel"), "channel"), (_("State"), "state"), (_("Attempts"), "attempts"),
                       (_("Last error"), ""), (_("Next attempt"), "next"), (_("Actions"), "")])
    if lp.export:
        return export_xlsx(request, "outbox", OUTBOX_COLUMNS, lambda unmasked: (
            [d.created_at, _recipient(d, unmasked), d.notification.title, channel_label(d.channel),
             d.get_state_display(), d.attempts, d.last_error, d.next_attempt_at] for d in lp.rows_for_export()),
            what="notify.outbox", label=_("Outbox"), filters=filters, widths=(18, 16, 40, 10, 8, 6, 40, 18))
    rows = list(lp.page_obj)
    for delivery in rows:
        delivery.channel_label = channel_label(delivery.channel)
        delivery.recipient_label = _recipient(delivery)
    return render(request, "notify/outbox.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "rows": rows, "counts": selectors.outbox_counts(viewer),
        "states": DeliveryState, "title": _("Outbox"),
    })


@login_required
@require_POST
def outbox_retry(request, delivery_id: int):
    try:
        services.delivery_retry(actor=request.user, delivery_id=delivery_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("notify:outbox")
