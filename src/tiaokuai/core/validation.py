"""Validation messages in the user's language for API input (pydantic errors → per-field messages).

The msgids are Django's own form and validator messages where one exists, so they read the same as the
pages' forms (and Django's catalogue already translates them); the rest are ours in locale/zh_Hans."""

from typing import Any

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
