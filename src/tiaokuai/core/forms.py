from django import forms


class StyledFormMixin:
    """Adds the UI kit's classes, and marks fields with errors so they show beside the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-check-input" if isinstance(
                widget, forms.CheckboxInput) else "form-control"
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                css += " is-invalid"
                widget.attrs["aria-describedby"] = f"id_{name}-error"
            widget.attrs["class"] = css


class StyledForm(StyledFormMixin, forms.Form):
    pass
