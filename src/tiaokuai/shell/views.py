"""The shell's pages: sign-in, the home page (cards the apps register) and the working calendar
(establishment office; the calendar itself is core.worktime). Thin: parse input, call one selector or
service, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiaokuai.core import services, worktime
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound

from . import selectors
from .forms import CalendarDayForm, LoginForm
from .navigation import nav_for


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """The workbench (工作台): the viewer's to-do from every app, overdue first, each one click from its action;
    the figures linking to filtered lists; the latest notifications; the viewer's pages as buttons."""
    viewer = viewer_for(request.user)
    return render(request, "shell/home.html", {
        "cards": selectors.home_cards(viewer),
        "work": selectors.workbench(viewer),
        "notifications": selectors.recent_notifications(viewer),
        "shortcuts": selectors.shortcuts(nav_for(viewer, request.path)),
        "public_links": selectors.public_links(),
        "title": _("Workbench"),
    })


# --- Working calendar ----------------------------------------------------------------------------


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
        return redirect("shell:calendar_year", year=form.cleaned_data["day"].year)
    source = worktime.calendar_source(year)
    return render(request, "shell/calendar.html", {
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
    return redirect("shell:calendar_year", year=year)
