"""System pages: the notifications inbox (every user), the outbox and the working calendar
(establishment office). Thin: parse input, call one selector or service, render."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tiaokuai.notify import selectors as notify_selectors
from tiaokuai.notify import services as notify_services
from tiaokuai.notify.choices import DeliveryState

from . import services, worktime
from .access import viewer_for
from .errors import DomainError, NotFound
from .forms import StyledForm
from .paging import paginate

# --- Inbox ---------------------------------------------------------------------------------------


@login_required
def inbox(request):
    viewer = viewer_for(request.user)
    unread_only = request.GET.get("unread") == "1"
    page_obj = paginate(request, notify_selectors.inbox(viewer, unread_only=unread_only))
    return render(request, "core/inbox.html", {
        "page_obj": page_obj, "unread_only": unread_only, "title": _("Notifications"),
    })


@login_required
@require_POST
def inbox_mark_read(request, notification_id: int):
    try:
        notify_services.notification_mark_read(actor=request.user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        row = notify_selectors.notification_get(viewer_for(request.user), notification_id)
        return render(request, "core/inbox_row.html", {"n": row, "oob_unread": True})
    return redirect(request.POST.get("next") or "core:inbox")


@login_required
@require_POST
def inbox_mark_all_read(request):
    notify_services.notification_mark_all_read(actor=request.user)
    return redirect("core:inbox")


# --- Outbox --------------------------------------------------------------------------------------


class OutboxFilter(StyledForm):
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states")), *DeliveryState.choices])
    channel = forms.CharField(label=gettext_lazy("Channel"), required=False, max_length=20)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)


@login_required
def outbox(request):
    viewer = viewer_for(request.user)
    if not notify_selectors.may_see_outbox(viewer):
        raise Http404
    form = OutboxFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = notify_selectors.outbox(viewer, state=filters.get("state", ""), channel=filters.get("channel", ""),
                                 q=filters.get("q", ""))
    return render(request, "core/outbox.html", {
        "form": form, "page_obj": paginate(request, qs), "counts": notify_selectors.outbox_counts(viewer),
        "states": DeliveryState, "title": _("Outbox"),
    })


@login_required
@require_POST
def outbox_retry(request, delivery_id: int):
    try:
        notify_services.delivery_retry(actor=request.user, delivery_id=delivery_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("core:outbox")


# --- Working calendar ----------------------------------------------------------------------------


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_working = forms.TypedChoiceField(
        label=gettext_lazy("Type of day"), coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("Day off (holiday)")), ("1", gettext_lazy("Working day (make-up day)"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200,
                           help_text=gettext_lazy("e.g. 春节 or 国庆节调休上班"))


def _may_edit_calendar(viewer) -> bool:
    return viewer.has_role("establishment_office")


@login_required
def calendar(request, year: int | None = None):
    viewer = viewer_for(request.user)
    if not _may_edit_calendar(viewer):
        raise Http404
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise Http404
    form = CalendarDayForm(request.POST or None, initial={"day": dt.date(year, 1, 1) if year != today.year else today})
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_day_set(actor=request.user, day=form.cleaned_data["day"],
                                      is_working=form.cleaned_data["is_working"], note=form.cleaned_data["note"])
        except NotFound as exc:
            raise Http404(exc.message) from exc
        messages.success(request, _("The working calendar was updated."))
        return redirect("core:calendar_year", year=form.cleaned_data["day"].year)
    source = worktime.calendar_source(year)
    return render(request, "core/calendar.html", {
        "year": year, "years": range(today.year - 1, today.year + 3), "form": form,
        "days": worktime.year_days(year), "source": source,
        "package_knows_year": worktime.package_knows_year(year),
        "periods": worktime.work_periods(), "hours_per_day": worktime.minutes_per_day() / 60,
        "title": _("Working calendar"),
    })


@login_required
@require_POST
def calendar_clear(request, year: int):
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
        services.calendar_day_clear(actor=request.user, day=day)
    except ValueError as exc:
        raise Http404 from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("The override was removed; the official calendar applies again."))
    return redirect("core:calendar_year", year=year)
