"""Forms for the whistle pages. They only parse input; the services validate and decide."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.forms import MonthTextInput, MultipleFileField, StyledForm

NOT_ON_LIST = "__none__"

URGENCY_CHOICES = [
    ("normal", _("Normal")),
    ("urgent", _("Urgent")),
    ("emergency", _("Emergency")),
]

OUTCOME_CHOICES = [
    ("resolved", _("Resolved")),
    ("partly_resolved", _("Partly resolved")),
    ("cannot_resolve", _("Cannot be resolved")),
    ("referred", _("Referred elsewhere")),
]

# Service argument names → form field names, for per-field errors from Invalid.details.
SERVICE_FIELD_MAP = {
    "item_code": "item",
    "village_code": "village",
    "grid_code": "grid",
    "attachments": "photos",
    "people": "people",
    "organisation_code": "organisation",
}


class InlineRadioSelect(forms.RadioSelect):
    """Radios laid out with Tabler's inline form-check classes (big enough to tap on a phone)."""

    template_name = "whistles/widgets/radio.html"
    option_template_name = "whistles/widgets/radio_option.html"


def apply_service_errors(form: forms.Form, exc) -> None:
    """Put an Invalid's per-field messages beside the matching fields (the rest on top)."""
    details = getattr(exc, "details", None) or {}
    placed = False
    for name, messages in details.items():
        field = SERVICE_FIELD_MAP.get(name, name)
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))
            placed = True
    if not placed:
        form.add_error(None, getattr(exc, "message", str(exc)))


class RaiseForm(StyledForm):
    # The description comes first: the router reads it and pre-selects the item, a person confirms.
    field_order = ["description", "item"]
    item = forms.ChoiceField(label=_("Whistle list item"))
    village = forms.ChoiceField(label=_("Village / community"))
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                                   min_value=-180, max_value=180)
    description = forms.CharField(label=_("What happened"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleFileField(label=_("Photos"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=URGENCY_CHOICES, initial="normal",
                                widget=InlineRadioSelect)

    def __init__(self, *args, items=(), villages=(), grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for item in items:
            tag = item.get_whistle_class_display()
            groups.setdefault(str(item.domain.name), []).append((item.code, f"【{tag}】{item.code} {item.name}"))
        self.fields["item"].choices = [("", _("— choose an item —"))] + [
            (domain, options) for domain, options in groups.items()
        ] + [(NOT_ON_LIST, _("Not on the list (the establishment office will route it)"))]
        self.fields["village"].choices = [("", _("— choose a village —"))] + [(v.code, v.name) for v in villages]
        self.fields["grid"].choices = [("", _("— no grid —"))] + [(g.code, g.name) for g in grids]
        self.fields["village"].widget.attrs.update({
            "hx-get": str(reverse_lazy("whistles:grids")), "hx-target": "#id_grid", "hx-swap": "innerHTML",
            "hx-trigger": "change",
        })
        self.fields["description"].widget.attrs.update({
            "hx-get": str(reverse_lazy("routing:suggest")), "hx-target": "#routing-suggestions",
            "hx-swap": "outerHTML", "hx-trigger": "input changed delay:700ms, change",
        })
        self.fields["urgency"].widget.attrs["class"] = "form-check-input"
        self.fields["latitude"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["longitude"].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        item = data["item"]
        return {
            "item_code": None if item == NOT_ON_LIST else item,
            "village_code": data["village"],
            "grid_code": data.get("grid") or None,
            "address": data.get("address") or "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "description": data["description"],
            "urgency": data["urgency"],
            "attachments": data.get("photos") or [],
        }


class ArriveForm(StyledForm):
    people = forms.CharField(label=_("Who came"), max_length=200)


class ResolveForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DisputeForm(StyledForm):
    reason = forms.CharField(label=_("Why this is not ours"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StyledForm):
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Attachments"), required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(StyledForm):
    lead = forms.ChoiceField(label=_("Lead department"))
    assists = forms.MultipleChoiceField(label=_("Assisting departments"), required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 4}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(o.code, o.name) for o in organisations]
        self.fields["lead"].choices = [("", _("— choose —"))] + choices
        self.fields["assists"].choices = choices


class DecideForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=InlineRadioSelect, initial="keep", choices=[
        ("keep", _("Keep: the department stays responsible")),
        ("reroute", _("Reroute to another department")),
    ])
    organisation = forms.ChoiceField(label=_("New department"), required=False)
    note = forms.CharField(label=_("Decision note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("— choose —"))] + [(o.code, o.name) for o in organisations]
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reroute" and not data.get("organisation"):
            self.add_error("organisation", _("Choose the department that takes the whistle over."))
        return data


class RateForm(StyledForm):
    """One dispatch's rating; the rate view uses one prefixed form per dispatch."""

    SCORES = [(str(i), str(i)) for i in range(5, 0, -1)]
    speed = forms.TypedChoiceField(label=_("Speed"), choices=SCORES, coerce=int, initial="5")
    attitude = forms.TypedChoiceField(label=_("Attitude"), choices=SCORES, coerce=int, initial="5")
    result = forms.TypedChoiceField(label=_("Result"), choices=SCORES, coerce=int, initial="5")
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class BoardFilterForm(StyledForm):
    field_order = ["q", "status", "township", "department", "domain", "urgency", "overdue"]
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Number, item, village or words")}))
    township = forms.ChoiceField(label=_("Township"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    status = forms.ChoiceField(label=_("State"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("All"))] + URGENCY_CHOICES)

    def __init__(self, *args, townships=(), departments=(), domains=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["township"].choices = everything + [(t.code, t.name) for t in townships]
        self.fields["department"].choices = everything + [(o.code, o.name) for o in departments]
        self.fields["domain"].choices = everything + [(d.code, d.name) for d in domains]
        self.fields["status"].choices = everything + list(statuses)


class WhistleListFilterForm(BoardFilterForm):
    """The whistle list's filters: the board's (with its search and urgency) and the township's to-do."""

    todo = forms.ChoiceField(label=_("To do"), required=False, widget=forms.HiddenInput,
                             choices=[("", ""), ("confirm", _("To confirm")), ("rate", _("To rate"))])


class InboxFilterForm(StyledForm):
    """The dispatch inbox's filters (selectors.dispatch_inbox)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Number, item or village")}))
    status = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All"))] + [
        ("dispatched", _("Dispatched")), ("responded", _("Responded")), ("arrived", _("Arrived")),
        ("disputed", _("Disputed"))])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[
        ("", _("All")), ("lead", _("Lead")), ("assist", _("Assist"))])
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=[("", _("All"))] + URGENCY_CHOICES)


class FiguresForm(StyledForm):
    month = forms.CharField(label=_("Month"), required=False,
                            widget=MonthTextInput())
    by = forms.ChoiceField(label=_("Per"), required=False, choices=[
        ("department", _("Department")), ("township", _("Township"))])
