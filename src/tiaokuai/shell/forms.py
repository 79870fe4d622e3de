from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy

from tiaokuai.core.forms import DateTextInput, StyledForm, StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            locked = getattr(self.request, "login_locked_for", 0)  # set by core.throttle's backend
            if locked:
                from tiaokuai.core.throttle import locked_message

                raise forms.ValidationError(locked_message(locked), code="locked") from None
            raise


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateTextInput())
    is_working = forms.TypedChoiceField(
        label=gettext_lazy("Type of day"), coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("Day off (holiday)")), ("1", gettext_lazy("Working day (make-up day)"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200,
                           help_text=gettext_lazy("e.g. 春节 or 国庆节调休上班"))


class CodeForm(StyledForm):
    """The second step of a sign-in, the enrolment's confirmation and the recovery codes' renewal."""

    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=32, strip=True, help_text=gettext_lazy(
        "The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}))


class DisableTwoFactorForm(StyledForm):
    password = forms.CharField(label=gettext_lazy("Password"), max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))
