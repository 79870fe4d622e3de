"""Forms of the registry pages. They only parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.errors import Invalid
from tiaokuai.core.forms import DateTextInput, StyledForm

from .choices import DivisionLevel, EstablishmentKind, OrganisationKind, Role
from .models import Division, Domain, Organisation, Person

DATE = DateTextInput()  # a date typed as 2026-12-07 (core.forms)


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class DivisionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} (#{obj.pk})"


def apply_errors(form: forms.Form, exc: Invalid) -> None:
    """Put a service's per-field errors beside the fields; the rest on top of the form."""
    aliases = getattr(form, "error_aliases", {})
    for field, messages in (exc.details or {"__all__": [exc.message]}).items():
        name = aliases.get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class OrganisationForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    parent = OrganisationChoice(label=_("Parent unit"), required=False, queryset=Organisation.objects.exclude(
        kind__in=[OrganisationKind.TOWNSHIP_OFFICE, OrganisationKind.STATIONED_AGENCY]).order_by("code"))
    division = DivisionChoice(label=_("Division served"), queryset=Division.objects.filter(
        level__in=[DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP]).order_by("code"))
    counts_toward_limit = forms.BooleanField(label=_("Counts toward the county's institution limit"),
                                             required=False)
    functions = forms.CharField(label=_("Main functions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OrganisationEditForm(OrganisationForm):
    code = None  # the code is the unit's identity: not editable
    is_active = forms.BooleanField(label=_("Active"), required=False)


class QuotaForm(StyledForm):
    kind = forms.ChoiceField(label=_("Establishment kind"), choices=EstablishmentKind.choices)
    approved = forms.IntegerField(label=_("Approved establishment"), min_value=0)
    leadership_posts = forms.IntegerField(label=_("Leadership posts"), min_value=0, initial=0)


class AssignmentForm(StyledForm):
    person = PersonChoice(label=_("Person"), queryset=Person.objects.order_by("name", "id"))
    kind = forms.ChoiceField(label=_("Establishment kind"), choices=EstablishmentKind.choices)
    post = forms.CharField(label=_("Post"), max_length=60)
    is_leadership = forms.BooleanField(label=_("Leadership post"), required=False)
    started_on = forms.DateField(label=_("Started on"), widget=DATE, required=False)


class AssignmentEndForm(StyledForm):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class CertificateForm(StyledForm):
    error_aliases = {"holder_id": "holder"}

    holder = PersonChoice(label=_("Holder"), queryset=Person.objects.order_by("name", "id"))
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    domains = forms.ModelMultipleChoiceField(label=_("Domains"), queryset=Domain.objects.order_by("order", "code"),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE)
    issuer = forms.CharField(label=_("Issuing authority"), max_length=100, required=False)


class CertificateRenewForm(StyledForm):
    expires_on = forms.DateField(label=_("New expiry date"), widget=DATE)
    issued_on = forms.DateField(label=_("Re-issued on"), widget=DATE, required=False)


class CertificateRevokeForm(StyledForm):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=200)


class PersonForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class MembershipForm(StyledForm):
    organisation = OrganisationChoice(label=_("Unit"), queryset=Organisation.objects.order_by("code"))
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in Role.choices if c[0] != Role.CITIZEN])
    division = DivisionChoice(label=_("Division served"), queryset=Division.objects.exclude(
        level=DivisionLevel.COUNTY).order_by("code"), required=False)
    title = forms.CharField(label=_("Title"), max_length=60, required=False)
    is_head = forms.BooleanField(label=_("Head of unit"), required=False)


# --------------------------------------------------------------------------- list filters (core.listing)


class OrganisationFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    township = forms.ChoiceField(label=_("Township"), required=False)
    view = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + list(OrganisationKind.choices)
        self.fields["township"].choices = [("", _("Whole county"))] + [(t.code, t.name) for t in townships]


class PersonFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Name"), "type": "search"}))
    organisation = forms.CharField(label=_("Unit code"), required=False, max_length=50)


class CertificateFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Number or holder"), "type": "search"}))
    state = forms.ChoiceField(label=_("Status"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All"))] + list(states)
        self.fields["domain"].choices = [("", _("All"))] + [
            (d.code, d.name) for d in Domain.objects.order_by("order", "code")]

