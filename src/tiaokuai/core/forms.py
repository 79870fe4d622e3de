from django import forms
from django.utils.translation import gettext_lazy


class StyledFormMixin:
    """Adds the UI kit's classes, and marks fields with errors so they show beside the field.

    Errors are marked after validation (in full_clean), never in __init__: validating there would
    freeze the form before subclasses set their choices and querysets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid()

    def add_error(self, field, error):
        """An error a view adds after validation (a service refused the input) is marked beside its field too."""
        super().add_error(field, error)  # type: ignore[misc]
        self._mark_invalid()

    def _mark_invalid(self):
        for name in self._errors or {}:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            attrs = field.widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
            attrs["aria-describedby"] = f"id_{name}-error"
            attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class RevealForm(StyledForm):
    """The purpose of an audited reveal (core.personal.record_reveal); the API's reveal bodies mirror it."""

    purpose = forms.CharField(label=gettext_lazy("Purpose of viewing"), max_length=200)


class DateTextInput(forms.DateInput):
    """A date typed as 2026-12-07: a plain text box with the Chinese format as its hint (a browser's own date
    picker speaks the browser's language: mm/dd/yyyy, "December 2026"). Django reads it with DATE_INPUT_FORMATS."""

    input_type = "text"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002  (Django's argument name)
        from django.utils.translation import gettext_lazy

        hint = gettext_lazy("Year-month-day, e.g. 2026-12-07")
        base = {"placeholder": hint, "title": hint, "inputmode": "numeric", "autocomplete": "off",
                "pattern": r"\d{4}-\d{1,2}-\d{1,2}", "maxlength": "10", "data-date-input": ""}
        super().__init__(attrs={**base, **(attrs or {})}, format=format)


class MonthTextInput(forms.TextInput):
    """A month typed as 2026-12 (plain text with the Chinese format as its hint)."""

    def __init__(self, attrs=None):
        from django.utils.translation import gettext_lazy

        hint = gettext_lazy("Year-month, e.g. 2026-12")
        base = {"placeholder": hint, "title": hint, "inputmode": "numeric", "autocomplete": "off",
                "pattern": r"\d{4}-\d{1,2}", "maxlength": "7"}
        super().__init__(attrs={**base, **(attrs or {})})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoInput(MultipleFileInput):
    """Camera first: a "take a photo" button (a second file input with capture="environment", so a phone opens its
    rear camera), "choose from the album" (the field's own input, several at once) and thumbnails of what was chosen.
    Both inputs carry the field's name, so without script every photo still arrives; static/js/photos.js gathers
    the shots into the album input (one photo per camera shot), shows the previews and lets one be removed."""

    template_name = "core/widgets/photo_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["class"] = "photo-file"
        return context


class MultipleFileField(forms.FileField):
    """Several photos in one field (the phone's camera or gallery); the service checks their types and sizes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PhotoInput(attrs={"multiple": True, "accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []
