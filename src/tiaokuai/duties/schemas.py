import datetime as dt
from typing import Any

from ninja import Schema

from tiaokuai.core.api import DictSchema
from tiaokuai.core.validation import api_only, choice_of, form_field, mirror

from . import forms as F

DutyRoleIn = choice_of(F.AssignmentForm, "role")
MatterKindIn = choice_of(F.MatterForm, "kind")


class ReleaseOut(Schema):
    id: int
    kind: str
    number: int
    title: str
    status: str
    effective_from: dt.date | None
    notes: str
    based_on: int | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    matter_count: int


class AssignmentIO(Schema):
    organisation: str  # unit code, or "territorial_township" for the role 属地乡镇（街道）
    role: str  # "primary" | "coordinating"
    duty: str


class AssignmentOut(DictSchema, AssignmentIO):
    organisation_name: str


class StepIO(DictSchema):
    order: int
    organisation: str | None = None  # unit code, or "territorial_township"
    action: str
    time_limit_days: int | None = None


class MatterOut(DictSchema):
    id: int
    release: int
    code: str
    name: str
    domain: str
    domain_name: str
    kind: str
    legal_basis: str
    description: str
    keywords: str
    assignments: list[AssignmentOut]
    steps: list[StepIO]


class AssignmentIn(AssignmentIO):
    organisation: str = form_field(F.AssignmentForm, "organisation", max_length=32)
    role: DutyRoleIn = form_field(F.AssignmentForm, "role")  # type: ignore[valid-type]
    duty: str = form_field(F.AssignmentForm, "duty")


class StepIn(StepIO):
    order: int = form_field(F.StepForm, "order")
    organisation: str | None = form_field(F.StepForm, "organisation", max_length=32)
    action: str = form_field(F.StepForm, "action")
    time_limit_days: int | None = form_field(F.StepForm, "time_limit_days")


class MatterIn(Schema):
    code: str = form_field(F.MatterForm, "code")
    name: str = form_field(F.MatterForm, "name")
    domain: str = form_field(F.MatterForm, "domain", max_length=32)  # domain code
    kind: MatterKindIn = form_field(F.MatterForm, "kind")  # type: ignore[valid-type]
    legal_basis: str = form_field(F.MatterForm, "legal_basis")
    description: str = form_field(F.MatterForm, "description")
    keywords: str = form_field(F.MatterForm, "keywords")
    assignments: list[AssignmentIn] | None = None
    steps: list[StepIn] | None = None


class MatterPatch(Schema):
    code: str | None = form_field(F.MatterForm, "code", default=None)
    name: str | None = form_field(F.MatterForm, "name", default=None)
    domain: str | None = form_field(F.MatterForm, "domain", default=None, max_length=32)
    kind: MatterKindIn | None = form_field(F.MatterForm, "kind", default=None)  # type: ignore[valid-type]
    legal_basis: str | None = form_field(F.MatterForm, "legal_basis", default=None)
    description: str | None = form_field(F.MatterForm, "description", default=None)
    keywords: str | None = form_field(F.MatterForm, "keywords", default=None)
    assignments: list[AssignmentIn] | None = None
    steps: list[StepIn] | None = None


class StartDraftIn(Schema):
    kind: str = "responsibility"
    title: str = ""


class PublishIn(Schema):
    effective_from: dt.date = form_field(F.PublishForm, "effective_from")
    notes: str | None = form_field(F.PublishForm, "notes", default=None)


# One declaration of the input rules (core.validation): the pages' forms.
mirror(MatterIn, F.MatterForm)
mirror(MatterPatch, F.MatterForm, partial=True)
mirror(AssignmentIn, F.AssignmentForm)
mirror(StepIn, F.StepForm)
mirror(PublishIn, F.PublishForm)
api_only(StartDraftIn, "the page starts a draft with a button, no form")


class DiffOut(Schema):
    from_release: ReleaseOut
    to_release: ReleaseOut
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    unchanged: int


class PrimaryOut(Schema):
    matter: str
    matter_name: str
    on: dt.date
    release: int
    release_number: int
    organisation: str
    organisation_name: str
    duty: str


class ImportOut(Schema):
    release: int
    matters: int
