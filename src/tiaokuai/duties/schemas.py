import datetime as dt
from typing import Any

from ninja import Schema


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


class AssignmentOut(AssignmentIO):
    organisation_name: str


class StepIO(Schema):
    order: int
    organisation: str | None = None  # unit code, or "territorial_township"
    action: str
    time_limit_days: int | None = None


class MatterOut(Schema):
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


class MatterIn(Schema):
    code: str
    name: str
    domain: str  # domain code
    kind: str = "other"
    legal_basis: str = ""
    description: str = ""
    keywords: str = ""
    assignments: list[AssignmentIO] | None = None
    steps: list[StepIO] | None = None


class MatterPatch(Schema):
    code: str | None = None
    name: str | None = None
    domain: str | None = None
    kind: str | None = None
    legal_basis: str | None = None
    description: str | None = None
    keywords: str | None = None
    assignments: list[AssignmentIO] | None = None
    steps: list[StepIO] | None = None


class StartDraftIn(Schema):
    kind: str = "responsibility"
    title: str = ""


class PublishIn(Schema):
    effective_from: dt.date
    notes: str | None = None


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
