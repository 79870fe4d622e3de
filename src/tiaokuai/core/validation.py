"""Validation messages in the user's language for API input (pydantic errors → per-field messages).

The msgids are Django's own form and validator messages where one exists, so they read the same as the
pages' forms (and Django's catalogue already translates them); the rest are ours in locale/zh_Hans."""

from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LOCATION_PARTS = ("body", "query", "path", "payload", "form", "header", "cookie", "file", "files")


def field_name(loc: Any) -> str:
    parts = [str(p) for p in (loc or ()) if p not in LOCATION_PARTS]
    return ".".join(parts) or "__all__"


def message(err: dict[str, Any]) -> str:
    """One pydantic error (its type and context) as a sentence in the active language."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        if kind == "greater_than":
            return _("Ensure this value is greater than %(limit_value)s.") % {"limit_value": limit}
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        if kind == "less_than":
            return _("Ensure this value is less than %(limit_value)s.") % {"limit_value": limit}
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": limit}
    if kind in ("string_too_long", "too_long"):
        limit = int(ctx.get("max_length", 0))
        value = err.get("input")
        if kind == "string_too_long":
            shown = len(value) if isinstance(value, str) else limit + 1
            return ngettext(
                "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
                "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
                limit) % {"limit_value": limit, "show_value": shown}
        return _("Ensure there are at most %(limit_value)s items.") % {"limit_value": limit}
    if kind in ("string_too_short", "too_short"):
        limit = int(ctx.get("min_length", 0))
        value = err.get("input")
        if kind == "string_too_short":
            shown = len(value) if isinstance(value, str) else 0
            return ngettext(
                "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
                "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
                limit) % {"limit_value": limit, "show_value": shown}
        return _("Ensure there are at least %(limit_value)s items.") % {"limit_value": limit}
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith(("float_", "decimal_")) or kind in ("finite_number",):
        return _("Enter a number.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind.startswith("date_"):
        return _("Enter a valid date.")
    if kind.startswith("time_"):
        return _("Enter a valid time.")
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": err.get("input")}
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return _("Enter a list of values.")
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return _("Enter an object with named fields.")
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return _("Enter text.")
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == NO_SPACE_ONLY:  # a required text left blank, as the form says it
            return _("This field is required.")
        return _("Enter a valid value.")
    if kind in ("json_invalid", "json_type"):
        return _("The request body is not valid JSON.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind == "value_error":
        # Our own validators raise with a translated message; pydantic prefixes "Value error, ".
        text = str(err.get("msg", ""))
        return text.removeprefix("Value error, ") or _("Enter a valid value.")
    return _("Enter a valid value.")


def details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic / ninja errors → {field: [messages]} in the active language (no duplicates)."""
    out: dict[str, list[str]] = {}
    for err in errors:
        msgs = out.setdefault(field_name(err.get("loc")), [])
        text = message(err)
        if text not in msgs:
            msgs.append(text)
    return out


# --- One declaration of the input rules for a page's form and the API's schema ------------------------------------
#
# A Django form is where a field's rules are written once (required, length, choices, bounds); the API schema that
# accepts the same input takes them from it: `form_field(Form, "name")` is a pydantic Field with the form field's
# constraints, `choice_of(Form, "name")` the Literal of its fixed choices. `mirror(Schema, Form, …)` records the
# pair so tests/core/test_validation_pairs.py can walk every pair and fail when the API would accept what the form
# refuses; `api_only(Schema, why)` records a schema no page form shares (the test insists each one is declared).

NO_SPACE_ONLY = r"\S"  # a required text field: something besides blanks (the form strips them)
_UNSET: Any = object()


def _base_field(form_class: Any, name: str) -> Any:
    try:
        return form_class.base_fields[name]
    except KeyError:
        raise LookupError(f"{form_class.__name__} has no field {name!r}") from None


def static_choices(field: Any) -> list[str]:
    """The values a ChoiceField accepts whatever the request (empty: its choices are set per request)."""
    from django.forms.models import ModelChoiceIterator
    from django.utils.choices import CallableChoiceIterator

    choices = getattr(field, "choices", None)
    if choices is None or isinstance(choices, ModelChoiceIterator | CallableChoiceIterator):
        return []  # a query or a callable: known per request (and never run at import)
    values: list[str] = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            values.extend(str(v) for v, _label in label)
        elif value not in ("", None):
            values.append(str(value))
    return values


def choice_of(form_class: Any, name: str) -> Any:
    """Literal[...] of the fixed choices of the form's ChoiceField (the annotation of the API's field)."""
    values = static_choices(_base_field(form_class, name))
    if not values:
        raise LookupError(f"{form_class.__name__}.{name} has no fixed choices")
    return Literal[tuple(values)]  # type: ignore[valid-type]


def form_field(form_class: Any, name: str, *, default: Any = _UNSET, **overrides: Any) -> Any:
    """A pydantic Field carrying the rules of `form_class`'s field `name`: required (no default; a text also needs
    a non-blank character) or the default ("" for text, None otherwise), max/min length, min/max value, at least
    one item of a required multiple choice. `default` makes an optional API field of a required form field (a
    PATCH); `overrides` add what the form cannot know (max_length of a code chosen from a list)."""
    from django import forms
    from pydantic import Field

    field = _base_field(form_class, name)
    kwargs: dict[str, Any] = {}
    is_text = isinstance(field, forms.CharField)
    if isinstance(field, forms.CharField):
        if field.max_length is not None:
            kwargs["max_length"] = field.max_length
        if field.min_length is not None:
            kwargs["min_length"] = field.min_length
        if field.required:
            kwargs["pattern"] = NO_SPACE_ONLY
    multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    if isinstance(field, forms.ChoiceField) and not multiple and field.required and not static_choices(field):
        kwargs["pattern"] = NO_SPACE_ONLY  # a code chosen from a list filled per request: not blank
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if field.min_value is not None:
            kwargs["ge"] = field.min_value
        if field.max_value is not None:
            kwargs["le"] = field.max_value
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        numbers = [int(v) for v in static_choices(field) if v.lstrip("-").isdigit()]
        if numbers:  # a score chosen from 1…5: the API takes the number within the same bounds
            kwargs["ge"], kwargs["le"] = min(numbers), max(numbers)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField) and field.required:
        kwargs["min_length"] = 1
    if field.help_text:
        kwargs["description"] = str(field.help_text)
    kwargs.update(overrides)
    if default is _UNSET:
        if field.required and field.initial not in (None, ""):
            # the page always sends the preselected value; the API defaults to the same one
            default = field.initial() if callable(field.initial) else field.initial
            if isinstance(field, forms.TypedChoiceField):
                default = field.coerce(default)
            return Field(default, **kwargs)
        if field.required:
            return Field(..., **kwargs)
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            return Field(default_factory=list, **kwargs)
        if isinstance(field, forms.BooleanField):
            default = False
        elif is_text:
            default = ""
        elif isinstance(field, forms.ChoiceField) and field.initial not in (None, ""):
            default = field.initial
        else:
            default = None
    return Field(default, **kwargs)


@dataclass(frozen=True)
class Pair:
    """An API schema and a page form that accept the same input; `fields` maps API names to form names."""

    schema: Any
    form: Any
    fields: dict[str, str]
    partial: bool = False  # a PATCH: a missing field means "unchanged"


PAIRS: list[Pair] = []
API_ONLY: dict[Any, str] = {}


def mirror(schema: Any, form_class: Any, *, rename: dict[str, str] | None = None,
           skip: tuple[str, ...] = (), partial: bool = False) -> None:
    """Record that `schema` takes the same input as `form_class`: every field the two share by name (or through
    `rename`, API name → form name) must refuse what the form refuses. `skip`: API fields the form names alike but
    means otherwise (none should need it; say why where used)."""
    rename = rename or {}
    api_names = set(schema.model_fields)
    fields = {api: rename.get(api, api) for api in api_names
              if rename.get(api, api) in form_class.base_fields and api not in skip}
    PAIRS.append(Pair(schema, form_class, fields, partial))


def api_only(schema: Any, why: str) -> None:
    """Record a schema no page form shares (`why`: for the reader)."""
    API_ONLY[schema] = why
