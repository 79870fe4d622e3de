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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiaokuai.core import services, twofactor, worktime
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound

from . import selectors
from .forms import CalendarDayForm, CodeForm, DisableTwoFactorForm, LoginForm
from .navigation import nav_for

PENDING_SIGN_IN = "tiaokuai_2fa_pending"  # session key: the user who gave the right password, waiting for a code
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """The password step; an account with a second factor (core.twofactor) is asked for its code next."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.enabled(user):
            self.request.session[PENDING_SIGN_IN] = {
                "user": user.pk, "backend": user.backend, "since": timezone.now().timestamp(),
                "next": self.get_success_url()}
            return redirect("login_code")
        return super().form_valid(form)


def login_code(request):
    """The second step of a sign-in: a code from the authenticator app or a recovery code. Wrong codes count
    toward the account's sign-in lock; when it locks, the sign-in starts again from the password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth import login as auth_login

    from tiaokuai.core.throttle import locked_message

    pending = request.session.get(PENDING_SIGN_IN)
    user = None
    if pending and timezone.now().timestamp() - float(pending.get("since", 0)) <= PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SIGN_IN, None)
        messages.error(request, _("Sign in again: the sign-in was not finished in time."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = twofactor.check_code(request, user, form.cleaned_data["code"], at=timezone.now())
        if checked.ok:
            request.session.pop(PENDING_SIGN_IN, None)
            auth_login(request, user, backend=pending["backend"])
            if checked.method == "recovery":
                messages.warning(request, _("You signed in with a recovery code; it cannot be used again. "
                                            "Make new codes on the two-factor page when few are left."))
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                target = "/"
            return redirect(target)
        if checked.locked_for:
            request.session.pop(PENDING_SIGN_IN, None)
            messages.error(request, locked_message(checked.locked_for))
            return redirect("login")
        form.add_error("code", _("The code is wrong or has expired. Enter the current code."))
    return render(request, "registration/login_code.html", {"form": form, "title": _("Second factor")})


@login_required
def two_factor(request):
    """Enrol, confirm, renew recovery codes, turn off: the county-wide roles' second factor (core.twofactor)."""
    from tiaokuai.core.errors import Conflict, Invalid

    user = request.user
    if not twofactor.may_enrol(user):
        raise Http404
    now = timezone.now()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    codes: list[str] = []
    code_form, disable_form = CodeForm(), DisableTwoFactorForm()
    try:
        if action == "start":
            twofactor.enrol_start(user=user, at=now)
            return redirect("two_factor")
        if action in ("confirm", "regenerate"):
            code_form = CodeForm(request.POST)
            if code_form.is_valid():
                fn = twofactor.enrol_confirm if action == "confirm" else twofactor.recovery_regenerate
                codes = fn(user=user, code=code_form.cleaned_data["code"], at=now)
                code_form = CodeForm()
                messages.success(request, _("Second factor in force.") if action == "confirm"
                                 else _("New recovery codes made; the old ones no longer work."))
        elif action == "disable":
            disable_form = DisableTwoFactorForm(request.POST)
            if disable_form.is_valid():
                twofactor.disable(user=user, password=disable_form.cleaned_data["password"],
                                  code=disable_form.cleaned_data["code"], at=now, request=request)
                messages.success(request, _("Second factor turned off."))
                return redirect("two_factor")
    except Invalid as exc:
        form = disable_form if action == "disable" else code_form
        for field, msgs in exc.details.items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
    except Conflict as exc:
        messages.error(request, exc.message)
    from tiaokuai.core.models import RecoveryCode, TwoFactor

    row = TwoFactor.objects.filter(user_id=user.pk).first()
    pending = row is not None and row.confirmed_at is None
    context = {"row": row, "enabled": row is not None and row.confirmed_at is not None, "pending": pending,
               "codes": codes, "code_form": code_form, "disable_form": disable_form,
               "required": twofactor.required(user), "title": _("Two-factor sign-in"),
               "codes_left": RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()}
    if pending:
        uri = twofactor.provisioning_uri(user, row.secret)
        context |= {"uri": uri, "qr": mark_safe(twofactor.qr_svg(uri)),  # noqa: S308 - segno's own SVG markup
                    "secret": " ".join(row.secret[i:i + 4] for i in range(0, len(row.secret), 4))}
    return render(request, "shell/two_factor.html", context)


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
