"""pydantic in/out schemas of the registry API."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from tiaokuai.core.api import DictSchema
from tiaokuai.core.validation import NO_SPACE_ONLY, choice_of, form_field, mirror

from . import forms as F

OrganisationKindIn = choice_of(F.OrganisationForm, "kind")
EstablishmentKindIn = choice_of(F.AssignmentForm, "kind")


class DivisionOut(DictSchema):
    code: str
    name: str
    level: str
    kind: str
    parent: str | None


class OrganisationOut(DictSchema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    division: str
    division_name: str
    counts_toward_limit: bool
    is_active: bool


class FiguresOut(Schema):
    approved: int
    actual: int
    vacancy: int
    over: int
    state: str


class StaffingOut(Schema):
    kinds: dict[str, FiguresOut]
    leadership: FiguresOut
    total: FiguresOut
    state: str


class QuotaOut(Schema):
    kind: str
    approved: int
    leadership_posts: int


class StaffOut(Schema):
    assignment_id: int
    person_id: int
    name: str
    kind: str
    post: str
    is_leadership: bool
    started_on: dt.date


class OrganisationDetailOut(OrganisationOut):
    functions: str
    children: list[OrganisationOut]
    staffing: StaffingOut | None
    quotas: list[QuotaOut]
    staff: list[StaffOut]


class OrganisationIn(Schema):
    code: str = form_field(F.OrganisationForm, "code")
    name: str = form_field(F.OrganisationForm, "name")
    kind: OrganisationKindIn = form_field(F.OrganisationForm, "kind")  # type: ignore[valid-type]
    division: str = form_field(F.OrganisationForm, "division", max_length=32,
                               description="Code of the division served")
    parent: str | None = form_field(F.OrganisationForm, "parent", max_length=32,
                                    description="Code of the parent organisation")
    short_name: str = form_field(F.OrganisationForm, "short_name")
    counts_toward_limit: bool = form_field(F.OrganisationForm, "counts_toward_limit")
    functions: str = form_field(F.OrganisationForm, "functions")


class OrganisationPatch(Schema):
    name: str | None = form_field(F.OrganisationEditForm, "name", default=None)
    short_name: str | None = form_field(F.OrganisationEditForm, "short_name", default=None)
    kind: OrganisationKindIn | None = form_field(F.OrganisationEditForm, "kind", default=None)  # type: ignore[valid-type]
    division: str | None = form_field(F.OrganisationEditForm, "division", default=None, max_length=32)
    parent: str | None = form_field(F.OrganisationEditForm, "parent", default=None, max_length=32)
    counts_toward_limit: bool | None = None
    is_active: bool | None = None
    functions: str | None = form_field(F.OrganisationEditForm, "functions", default=None)


class QuotaIn(Schema):
    approved: int = form_field(F.QuotaForm, "approved")
    leadership_posts: int = form_field(F.QuotaForm, "leadership_posts")


class StaffingGroupOut(Schema):
    code: str
    name: str
    staffing: StaffingOut
    units: list[str]


class StaffingUnitOut(Schema):
    code: str
    name: str
    kind: str
    staffing: StaffingOut


class InstitutionsOut(Schema):
    count: int
    limit: int | None
    over: bool
    remaining: int | None


class StaffingReportOut(Schema):
    scope: str
    code: str | None
    name: str | None
    totals: StaffingOut
    groups: list[StaffingGroupOut]
    units: list[StaffingUnitOut]
    institutions: InstitutionsOut | None


class CurrentSlotOut(DictSchema):
    assignment_id: int
    organisation: str
    organisation_name: str
    kind: str
    post: str
    is_leadership: bool


class PersonOut(DictSchema):
    id: int
    name: str
    id_number: str
    phone: str
    masked: bool
    current: CurrentSlotOut | None


class MembershipOut(Schema):
    organisation: str
    organisation_name: str
    role: str
    title: str
    is_head: bool
    division: str | None


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]


class AssignmentIn(Schema):
    person_id: int
    organisation: str = Field(max_length=32, pattern=NO_SPACE_ONLY)
    kind: EstablishmentKindIn = form_field(F.AssignmentForm, "kind")  # type: ignore[valid-type]
    post: str = form_field(F.AssignmentForm, "post")
    is_leadership: bool = form_field(F.AssignmentForm, "is_leadership")
    started_on: dt.date | None = form_field(F.AssignmentForm, "started_on")


class AssignmentEndIn(Schema):
    ended_on: dt.date | None = form_field(F.AssignmentEndForm, "ended_on")
    reason: str = form_field(F.AssignmentEndForm, "reason")


class AssignmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    organisation: str
    kind: str
    post: str
    is_leadership: bool
    started_on: dt.date
    ended_on: dt.date | None
    over_establishment: bool = False
    over_leadership: bool = False


class CertificateOut(DictSchema):
    id: int
    number: str
    holder_id: int
    holder_name: str
    domains: list[str]
    issued_on: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None
    issuer: str
    state: str


class CertificateIn(Schema):
    holder_id: int
    number: str = form_field(F.CertificateForm, "number")
    domains: list[str] = form_field(F.CertificateForm, "domains")
    issued_on: dt.date = form_field(F.CertificateForm, "issued_on")
    expires_on: dt.date = form_field(F.CertificateForm, "expires_on")
    issuer: str = form_field(F.CertificateForm, "issuer")


class CertificateRenewIn(Schema):
    expires_on: dt.date = form_field(F.CertificateRenewForm, "expires_on")
    issued_on: dt.date | None = form_field(F.CertificateRenewForm, "issued_on")


class CertificateRevokeIn(Schema):
    reason: str = form_field(F.CertificateRevokeForm, "reason")
    revoked_on: dt.date | None = None


# One declaration of the input rules (core.validation): the pages' forms; the walk in
# tests/core/test_validation_pairs.py holds every pair to it.
mirror(OrganisationIn, F.OrganisationForm)
mirror(OrganisationPatch, F.OrganisationEditForm, partial=True)
mirror(QuotaIn, F.QuotaForm)
mirror(AssignmentIn, F.AssignmentForm)
mirror(AssignmentEndIn, F.AssignmentEndForm)
mirror(CertificateIn, F.CertificateForm)  # holder_id: the form's holder is a person chosen from a list
mirror(CertificateRenewIn, F.CertificateRenewForm)
mirror(CertificateRevokeIn, F.CertificateRevokeForm)


def organisation_out(o: Any) -> dict[str, Any]:
    return {
        "code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind,
        "parent": o.parent.code if o.parent_id else None, "division": o.division.code,
        "division_name": o.division.name, "counts_toward_limit": o.counts_toward_limit, "is_active": o.is_active,
    }


def assignment_out(a: Any) -> dict[str, Any]:
    flags = getattr(a, "flags", {})
    return {
        "id": a.pk, "person_id": a.person_id, "person_name": a.person.name, "organisation": a.organisation.code,
        "kind": a.kind, "post": a.post, "is_leadership": a.is_leadership, "started_on": a.started_on,
        "ended_on": a.ended_on, "over_establishment": flags.get("over_establishment", False),
        "over_leadership": flags.get("over_leadership", False),
    }


def certificate_out(c: Any, state: str) -> dict[str, Any]:
    return {
        "id": c.pk, "number": c.number, "holder_id": c.holder_id, "holder_name": c.holder.name,
        "domains": sorted(d.code for d in c.domains.all()), "issued_on": c.issued_on, "expires_on": c.expires_on,
        "revoked_on": c.revoked_on, "issuer": c.issuer, "state": state,
    }
