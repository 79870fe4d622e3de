"""Forms for the request pages. They only parse input; the services validate and decide."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import DisputeDecision
from tiaokuai.core.forms import MultipleFileField, StyledForm

from .choices import (
    HANDLER_OUTCOMES,
    Channel,
    DispatchStatus,
    Kind,
    Outcome,
    RequestStatus,
    Satisfaction,
    SupervisionReason,
    SupervisionStatus,
)

SERVICE_FIELD_MAP = {"village_code": "village", "attachments": "photos", "matter_code": "matter",
                     "organisation_code": "organisation", "into_number": "into"}


def apply_service_errors(form: forms.Form, exc) -> None:
    details = getattr(exc, "details", None) or {}
    placed = False
    for name, messages in details.items():
        field = SERVICE_FIELD_MAP.get(name, name)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, getattr(exc, "message", str(exc)))


def village_choices(villages) -> list:
    groups: dict[str, list[tuple[str, str]]] = {}
    for v in villages:
        groups.setdefault(v.township.name if v.township_id else "", []).append((v.code, v.name))
    return [("", _("— choose a village —"))] + list(groups.items())


def matter_choices(matters, *, empty) -> list:
    groups: dict[str, list[tuple[str, str]]] = {}
    for m in matters:
        groups.setdefault(str(m.domain.name), []).append((m.code, m.name))
    return [("", empty)] + list(groups.items())


class _RequestForm(StyledForm):
    description = forms.CharField(label=_("What is the problem"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    village = forms.ChoiceField(label=_("Village / community"))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("How urgent"), choices=Kind.choices, initial=Kind.GENERAL)
    citizen_name = forms.CharField(label=_("Name"), max_length=60, required=False)
    citizen_phone = forms.CharField(label=_("Callback number"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(villages)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"description": d["description"], "village_code": d["village"], "address": d.get("address") or "",
                "kind": d["kind"], "citizen_name": d.get("citizen_name") or "",
                "citizen_phone": d.get("citizen_phone") or ""}


class PublicForm(_RequestForm):
    field_order = ["description", "village", "address", "kind", "citizen_name", "citizen_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizen_phone"].required = True


class HotlineForm(_RequestForm):
    field_order = ["citizen_name", "citizen_phone", "description", "matter", "village", "address", "kind",
                   "answered_on_spot", "answer"]
    matter = forms.ChoiceField(label=_("Matter"), required=False)
    answered_on_spot = forms.BooleanField(label=_("Consultation answered on the spot"), required=False)
    answer = forms.CharField(label=_("What was answered"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices(matters, empty=_("— the router or the list decides —"))
        self.fields["description"].widget.attrs.update({
            "hx-get": str(reverse_lazy("routing:suggest")), "hx-target": "#routing-suggestions",
            "hx-swap": "outerHTML", "hx-trigger": "keyup changed delay:700ms, change",
        })

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {**super().service_kwargs(), "matter_code": d.get("matter") or "",
                "answered_on_spot": bool(d.get("answered_on_spot")), "answer": d.get("answer") or ""}


class FieldForm(_RequestForm):
    field_order = ["description", "matter", "village", "address", "latitude", "longitude", "photos", "kind",
                   "citizen_name", "citizen_phone"]
    matter = forms.ChoiceField(label=_("Category"), required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180)
    photos = MultipleFileField(label=_("Photos"), required=False)

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices(matters, empty=_("— not sure —"))
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {**super().service_kwargs(), "matter_code": d.get("matter") or "", "latitude": d.get("latitude"),
                "longitude": d.get("longitude"), "attachments": d.get("photos") or []}


class TrackForm(StyledForm):
    code = forms.CharField(label=_("Tracking code"), max_length=16)


class RouteForm(StyledForm):
    matter = forms.ChoiceField(label=_("Matter"), required=False)
    organisation = forms.ChoiceField(label=_("Or send to this body"), required=False)

    def __init__(self, *args, matters=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matter_choices(matters, empty=_("— choose a matter —"))
        self.fields["organisation"].choices = [("", "—")] + [(o.code, o.name) for o in organisations]


class ResolveForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"),
                                choices=[(o, Outcome(o).label) for o in HANDLER_OUTCOMES])
    note = forms.CharField(label=_("Answer to the citizen"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CallbackForm(StyledForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    comment = forms.CharField(label=_("What the citizen said"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    not_solved = forms.BooleanField(label=_("The citizen says the problem is not solved"), required=False)


class MergeForm(StyledForm):
    into = forms.CharField(label=_("Number of the request it repeats"), max_length=32)


class LinkWhistleForm(StyledForm):
    whistle_number = forms.CharField(label=_("Whistle number"), max_length=32)


class DecideForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=DisputeDecision.choices)
    organisation = forms.CharField(label=_("Reroute to (organisation code)"), required=False, max_length=32)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class InterviewForm(StyledForm):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(label=_("Attendees"), max_length=300)
    minutes = forms.CharField(label=_("Minutes"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(label=_("Rectification promised"), max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StyledForm):
    note = forms.CharField(label=_("How it was followed up"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RequestFilterForm(StyledForm):
    """The request list's filters (core.listing)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("Number or words"), "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(RequestStatus.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel"))] + list(Channel.choices))


def _search(placeholder):
    return forms.CharField(label=_("Search"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"placeholder": placeholder, "type": "search"}))


class InboxFilterForm(StyledForm):
    """The request inbox's filters (core.listing.narrow over selectors.dispatch_inbox)."""

    q = _search(_("Number or words"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + [
        c for c in DispatchStatus.choices if c[0] in ("dispatched", "accepted", "disputed")])
    kind = forms.ChoiceField(label=_("Deadline class"), required=False, choices=[("", _("All"))] + list(Kind.choices))


class OverdueFilterForm(StyledForm):
    """The supervision page's overdue list filters."""

    q = _search(_("Number, unit or words"))
    township = forms.ChoiceField(label=_("Township"), required=False)

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("All"))] + [(t.code, t.name) for t in townships]


class CallbackFilterForm(StyledForm):
    """The callback queue's filters."""

    q = _search(_("Number or words"))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("All"))] + list(Outcome.choices))


class SupervisionItemFilterForm(StyledForm):
    """The supervision items' filters: open ones unless asked otherwise."""

    q = _search(_("Number or unit"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(
        SupervisionStatus.choices))
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", _("All"))] + list(
        SupervisionReason.choices))
