from django import forms
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.forms import DateTextInput, StyledForm
from tiaokuai.org.models import Organisation

from .choices import BodyKind, DutyRole, MatterKind
from .models import Domain

DateInput = DateTextInput  # a date typed as 2026-12-07 (core.forms)


class MatterSearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Code, name, keyword or body")}))
    # A CharField with a select widget: StyledFormMixin validates during __init__, before choices are known.
    domain = forms.CharField(label=_("Domain"), required=False, widget=forms.Select)
    on = forms.DateField(label=_("In force on"), required=False, widget=DateInput)

    def __init__(self, *args, domains=None, with_date=True, **kwargs):
        super().__init__(*args, **kwargs)
        rows = domains if domains is not None else Domain.objects.all()
        self.fields["domain"].widget.choices = [("", _("All domains"))] + [(d.code, d.name) for d in rows]
        if not with_date:
            del self.fields["on"]


class MatterForm(StyledForm):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=200)
    domain = forms.ModelChoiceField(label=_("domain"), queryset=Domain.objects.all(), to_field_name="code")
    kind = forms.ChoiceField(label=_("kind"), choices=MatterKind.choices, initial=MatterKind.OTHER)
    legal_basis = forms.CharField(label=_("legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("keywords"), required=False, max_length=300,
                               help_text=_("Words people use for this matter, separated by commas."))
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _organisations():
    return Organisation.objects.filter(is_active=True).order_by("kind", "code")


def _bodies() -> list[tuple[str, str]]:
    """The territorial role 属地乡镇（街道） first, then every active unit (value: its code)."""
    return [(BodyKind.TERRITORIAL_TOWNSHIP.value, BodyKind.TERRITORIAL_TOWNSHIP.label)] + [
        (code, name) for code, name in _organisations().values_list("code", "name")]


def _optional_bodies() -> list[tuple[str, str]]:
    return [("", "---------")] + _bodies()


class AssignmentForm(StyledForm):
    organisation = forms.ChoiceField(label=_("body"), choices=_bodies)
    role = forms.ChoiceField(label=_("responsibility"), choices=DutyRole.choices)
    duty = forms.CharField(label=_("duty"), widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(StyledForm):
    order = forms.IntegerField(label=_("order"), min_value=1)
    organisation = forms.ChoiceField(label=_("body"), choices=_optional_bodies, required=False)
    action = forms.CharField(label=_("action"), max_length=200)
    time_limit_days = forms.IntegerField(label=_("time limit (working days)"), min_value=0, required=False)


AssignmentFormSet = forms.formset_factory(AssignmentForm, extra=2, can_delete=True)
StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True)


class PublishForm(StyledForm):
    effective_from = forms.DateField(label=_("effective from"), widget=DateInput)
    notes = forms.CharField(label=_("release notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class ReleaseFilterForm(StyledForm):
    """The list versions' filters (core.listing); `kind` keeps the list being looked at."""

    kind = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": _("Version number or title"), "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("draft", _("Draft")), ("published", _("Published"))])
