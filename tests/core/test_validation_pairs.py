"""One declaration of the input rules serves the page's form and the API's schema (core.validation): this walks
every (schema, form) pair the apps record with validation.mirror and fails when the API would accept a value the
form refuses — a missing required field, a blank text, a text one character too long, a choice the form does not
offer, a number out of bounds, an empty required multiple choice. Every input schema of the API must be either
mirrored or declared API-only, so a new one cannot slip past."""

import copy
import importlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import ValidationError as PydanticError

from tiaokuai.core import validation

APPS = ["core.api", "org.schemas", "duties.schemas", "whistles.schemas", "intake.schemas", "routing.schemas"]
MISSING = object()


def _load():
    for name in APPS:
        importlib.import_module(f"tiaokuai.{name}")


def input_schemas():
    _load()
    found = set()
    for name in APPS:
        module = importlib.import_module(f"tiaokuai.{name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == module.__name__ \
                    and obj.__name__.endswith(("In", "Patch")):
                found.add(obj)
    return found


def form_refuses(field, value) -> bool:
    field = copy.deepcopy(field)
    try:
        field.clean(None if value is MISSING else value)
    except ValidationError:
        return True
    return False


def candidates(field):
    """Values to try: each is kept only if the form field really refuses it."""
    values = [MISSING, "", "   "]
    if isinstance(field, forms.CharField) and field.max_length:
        values.append("字" * (field.max_length + 1))
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField) \
            and validation.static_choices(field):
        values += ["__not_a_choice__", "0", "6", "-1", "99"]
    if isinstance(field, forms.MultipleChoiceField):
        values += [[]]
        if validation.static_choices(field):
            values += [["__not_a_choice__"]]
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        if field.min_value is not None:
            values.append(field.min_value - 1)
        if field.max_value is not None:
            values.append(field.max_value + 1)
    if isinstance(field, forms.DateField):
        values.append("2026-13-45")
    return values


def api_refuses(schema, api_name, value) -> bool:
    data = {} if value is MISSING else {api_name: value}
    try:
        schema.model_validate(data)
    except PydanticError as exc:
        return any(err["loc"] and err["loc"][0] == api_name for err in exc.errors())
    return False


def _applies(field, value) -> bool:
    """Whether the rule behind this value is the form's own: a required field with a preselected value is always
    sent by the page, so the API may default to it; a choice list filled per request is checked by the service."""
    if value in (MISSING, "", "   ") and field.initial not in (None, ""):
        return False
    dynamic = isinstance(field, forms.ChoiceField) and not validation.static_choices(field)
    return not (dynamic and value not in (MISSING, "", []))


def cases():
    _load()
    for pair in validation.PAIRS:
        for api_name, form_name in sorted(pair.fields.items()):
            field = pair.form.base_fields[form_name]
            for value in candidates(field):
                if pair.partial and value is MISSING:
                    continue  # a PATCH leaves a missing field unchanged
                if _applies(field, value) and form_refuses(field, value):
                    label = value if value is MISSING or len(str(value)) < 12 else f"{len(value)} chars"
                    yield pytest.param(pair.schema, api_name, value,
                                       id=f"{pair.schema.__module__.split('.')[1]}.{pair.schema.__name__}."
                                          f"{api_name}<{pair.form.__name__}>={'missing' if value is MISSING else label!r}")


@pytest.mark.parametrize(("schema", "api_name", "value"), list(cases()))
def test_the_api_refuses_what_the_form_refuses(schema, api_name, value):
    assert api_refuses(schema, api_name, value), f"{schema.__name__}.{api_name} accepts {value!r}"


def test_every_input_schema_is_mirrored_or_declared_api_only():
    mirrored = {p.schema for p in validation.PAIRS}
    undeclared = {s.__name__ for s in input_schemas()} - {s.__name__ for s in mirrored | set(validation.API_ONLY)}
    assert not undeclared, f"declare these with validation.mirror or validation.api_only: {sorted(undeclared)}"


def test_every_pair_shares_fields_and_the_walk_is_not_empty():
    _load()
    assert len(validation.PAIRS) >= 20
    for pair in validation.PAIRS:
        assert pair.fields, f"{pair.schema.__name__} shares no field with {pair.form.__name__}"
    assert len(list(cases())) > 60


def test_a_blank_required_text_reads_like_the_form():
    from tiaokuai.whistles.schemas import ReasonIn

    with pytest.raises(PydanticError) as exc:
        ReasonIn.model_validate({"reason": "  "})
    from django.utils.translation import gettext

    assert validation.details(exc.value.errors()) == {"reason": [gettext("This field is required.")]}


def test_the_walk_catches_a_schema_looser_than_its_form():
    class LooseForm(forms.Form):
        name = forms.CharField(max_length=5)
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])

    class LooseIn(Schema):
        name: str = "x"
        kind: str = "a"

    field = LooseForm.base_fields["name"]
    assert form_refuses(field, "字" * 6) and not api_refuses(LooseIn, "name", "字" * 6)
    assert form_refuses(LooseForm.base_fields["kind"], "__not_a_choice__")
    assert not api_refuses(LooseIn, "kind", "__not_a_choice__")

    class TightIn(Schema):
        name: str = validation.form_field(LooseForm, "name")
        kind: validation.choice_of(LooseForm, "kind") = validation.form_field(LooseForm, "kind")  # type: ignore

    assert api_refuses(TightIn, "name", "字" * 6) and api_refuses(TightIn, "name", MISSING)
    assert api_refuses(TightIn, "kind", "__not_a_choice__") and not api_refuses(TightIn, "kind", "b")
