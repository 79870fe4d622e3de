"""Writes to the organisation and staffing registry. Only the establishment office (or a superuser)
writes; anyone else gets NotFound, exactly as for a missing record."""

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, Invalid, NotFound

from .access import require_registry_editor
from .choices import (
    ALLOWED_DIVISION_LEVELS,
    ALLOWED_PARENT_KINDS,
    DivisionLevel,
    EstablishmentKind,
    OrganisationKind,
    Role,
)
from .models import (
    Certificate,
    Division,
    EstablishmentQuota,
    Membership,
    Organisation,
    Person,
    StaffAssignment,
)

DIVISION_FIELDS = ["code", "name", "level", "kind", "parent", "township", "institution_limit"]
ORGANISATION_FIELDS = ["code", "name", "short_name", "kind", "parent", "division", "counts_toward_limit",
                       "is_active", "functions"]
PERSON_FIELDS = ["name", "user"]  # personal data (ID number, phone) is never copied into the audit log
MEMBERSHIP_FIELDS = ["person", "organisation", "role", "division", "title", "is_head"]
QUOTA_FIELDS = ["organisation", "kind", "approved", "leadership_posts"]
ASSIGNMENT_FIELDS = ["person", "organisation", "kind", "post", "is_leadership", "started_on", "ended_on",
                     "end_reason"]
CERTIFICATE_FIELDS = ["holder", "number", "issued_on", "expires_on", "revoked_on", "issuer", "revoke_reason"]

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _editor(actor: Any) -> None:
    require_registry_editor(viewer_for(actor))


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(_("Please correct the errors below."), details={field: [message]})


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        raise Invalid.from_django(exc) from exc


def _check_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(_("Please correct the errors below."), details=errors)


# --------------------------------------------------------------------------- divisions


@transaction.atomic
def division_create(
    *, actor: Any, code: str, name: str, level: str, kind: str, parent: Division | None = None,
    institution_limit: int | None = None,
) -> Division:
    _editor(actor)
    errors: dict[str, list[str]] = {}
    if Division.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("A division with this code already exists."))
    if institution_limit is not None and level != DivisionLevel.COUNTY:
        errors.setdefault("institution_limit", []).append(_("Only a county has an institution limit."))
    _check_errors(errors)
    division = Division(code=code, name=name, level=level, kind=kind, parent=parent,
                        institution_limit=institution_limit)
    if parent is not None and level in (DivisionLevel.VILLAGE, DivisionLevel.GRID):
        division.township = parent if parent.level == DivisionLevel.TOWNSHIP else parent.township
    _full_clean(division, exclude=["township"])
    division.save()
    audit.log(actor=actor, action="org.division.create", obj=division,
              after=audit.snapshot(division, DIVISION_FIELDS))
    return division


@transaction.atomic
def division_update(*, actor: Any, division: Division, name: str | None = None, kind: str | None = None,
                    institution_limit: int | None = None, clear_institution_limit: bool = False) -> Division:
    _editor(actor)
    division = Division.objects.get(pk=division.pk)
    before = audit.snapshot(division, DIVISION_FIELDS)
    if name is not None:
        division.name = name
    if kind is not None:
        division.kind = kind
    if institution_limit is not None or clear_institution_limit:
        if division.level != DivisionLevel.COUNTY and institution_limit is not None:
            raise _invalid("institution_limit", _("Only a county has an institution limit."))
        division.institution_limit = institution_limit
    _full_clean(division, exclude=["code", "township"])
    division.save()
    audit.log(actor=actor, action="org.division.update", obj=division, before=before,
              after=audit.snapshot(division, DIVISION_FIELDS))
    return division


# --------------------------------------------------------------------------- organisations


def _validate_organisation(org: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    kind = OrganisationKind(org.kind) if org.kind in OrganisationKind.values else None
    if kind is None:
        errors["kind"] = [_("Choose a valid kind.")]
    else:
        parent_kind = OrganisationKind(org.parent.kind) if org.parent is not None else None
        if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
            errors.setdefault("parent", []).append(
                _("A unit of kind “%(kind)s” cannot be placed under this parent.") % {"kind": kind.label})
        if org.division_id is not None and org.division.level not in ALLOWED_DIVISION_LEVELS[kind]:
            errors.setdefault("division", []).append(
                _("A unit of kind “%(kind)s” cannot serve a division of this level.") % {"kind": kind.label})
        if (kind == OrganisationKind.TOWNSHIP_OFFICE and org.parent is not None and org.division_id is not None
                and org.parent.division_id != org.division_id):
            errors.setdefault("division", []).append(_("A township office serves its township's division."))
    if org.parent_id is not None and org.pk is not None:
        node: Organisation | None = org.parent
        while node is not None:
            if node.pk == org.pk:
                errors.setdefault("parent", []).append(_("A unit cannot be placed under itself."))
                break
            node = node.parent
    _check_errors(errors)


@transaction.atomic
def organisation_create(
    *, actor: Any, code: str, name: str, kind: str, division: Division, parent: Organisation | None = None,
    short_name: str = "", counts_toward_limit: bool = False, functions: str = "",
) -> Organisation:
    _editor(actor)
    if Organisation.objects.filter(code=code).exists():
        raise _invalid("code", _("An organisation with this code already exists."))
    org = Organisation(code=code, name=name, kind=kind, division=division, parent=parent, short_name=short_name,
                       counts_toward_limit=counts_toward_limit, functions=functions)
    _full_clean(org)
    _validate_organisation(org)
    org.save()
    audit.log(actor=actor, action="org.organisation.create", obj=org,
              after=audit.snapshot(org, ORGANISATION_FIELDS))
    return org


ORGANISATION_EDITABLE = {"name", "short_name", "kind", "parent", "division", "counts_toward_limit", "is_active",
                         "functions"}


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **changes: Any) -> Organisation:
    _editor(actor)
    unknown = set(changes) - ORGANISATION_EDITABLE
    if unknown:
        raise Invalid(_("Please correct the errors below."),
                      details={k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    org = Organisation.objects.select_related("parent", "division").get(pk=organisation.pk)
    before = audit.snapshot(org, ORGANISATION_FIELDS)
    for key, value in changes.items():
        setattr(org, key, value)
    _full_clean(org, exclude=["code"])
    _validate_organisation(org)
    after = audit.snapshot(org, ORGANISATION_FIELDS)
    if after == before:
        return org
    org.save()
    audit.log(actor=actor, action="org.organisation.update", obj=org, before=before, after=after)
    return org


# --------------------------------------------------------------------------- people and memberships


def _validate_personal(id_number: str, phone: str) -> None:
    errors: dict[str, list[str]] = {}
    if id_number and not ID_NUMBER_RE.match(id_number):
        errors["id_number"] = [_("Enter an 18-character resident ID number.")]
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("Enter a mobile number (11 digits) or a landline with area code.")]
    _check_errors(errors)


@transaction.atomic
def person_create(*, actor: Any, name: str, id_number: str = "", phone: str = "", user: Any = None) -> Person:
    _editor(actor)
    id_number = (id_number or "").strip().upper()
    phone = (phone or "").strip()
    _validate_personal(id_number, phone)
    if id_number and Person.objects.filter(id_number=id_number).exists():
        raise _invalid("id_number", _("A person with this ID number is already registered."))
    person = Person(name=name.strip(), id_number=id_number, phone=phone, user=user)
    _full_clean(person)
    person.save()
    audit.log(actor=actor, action="org.person.create", obj=person, after=audit.snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, name: str | None = None, id_number: str | None = None,
                  phone: str | None = None) -> Person:
    _editor(actor)
    person = Person.objects.get(pk=person.pk)
    before = audit.snapshot(person, PERSON_FIELDS)
    changed: list[str] = []
    if name is not None and name.strip() != person.name:
        person.name = name.strip()
        changed.append("name")
    if id_number is not None and id_number.strip().upper() != person.id_number:
        person.id_number = id_number.strip().upper()
        changed.append("id_number")
    if phone is not None and phone.strip() != person.phone:
        person.phone = phone.strip()
        changed.append("phone")
    _validate_personal(person.id_number, person.phone)
    if "id_number" in changed and person.id_number and Person.objects.filter(
            id_number=person.id_number).exclude(pk=person.pk).exists():
        raise _invalid("id_number", _("A person with this ID number is already registered."))
    if not changed:
        return person
    _full_clean(person)
    person.save()
    after = audit.snapshot(person, PERSON_FIELDS) | {"changed": changed}
    audit.log(actor=actor, action="org.person.update", obj=person, before=before, after=after)
    return person


def person_personal_data_viewed(*, actor: Any, person: Person, purpose: str = "") -> None:
    """Record that someone saw a person's unmasked ID number and phone, and why."""
    from tiaokuai.core.personal import record_reveal

    record_reveal(actor=actor, obj=person, fields=["id_number", "phone"], purpose=purpose,
                  action="org.person.view_personal_data")


@transaction.atomic
def membership_create(
    *, actor: Any, person: Person, organisation: Organisation, role: str, division: Division | None = None,
    title: str = "", is_head: bool = False,
) -> Membership:
    _editor(actor)
    if role not in Role.values:
        raise _invalid("role", _("Choose a valid role."))
    if Membership.objects.filter(person=person, organisation=organisation, role=role).exists():
        raise Conflict(_("This person already has this role in this unit."), code="membership_exists")
    m = Membership(person=person, organisation=organisation, role=role, division=division, title=title,
                   is_head=is_head)
    _full_clean(m, exclude=["person", "organisation"])
    m.save()
    audit.log(actor=actor, action="org.membership.create", obj=m, after=audit.snapshot(m, MEMBERSHIP_FIELDS))
    return m


@transaction.atomic
def membership_update(*, actor: Any, membership: Membership, title: str | None = None,
                      is_head: bool | None = None, division: Division | None = None,
                      clear_division: bool = False) -> Membership:
    _editor(actor)
    m = Membership.objects.get(pk=membership.pk)
    before = audit.snapshot(m, MEMBERSHIP_FIELDS)
    if title is not None:
        m.title = title
    if is_head is not None:
        m.is_head = is_head
    if division is not None or clear_division:
        m.division = division
    after = audit.snapshot(m, MEMBERSHIP_FIELDS)
    if after == before:
        return m
    m.save()
    audit.log(actor=actor, action="org.membership.update", obj=m, before=before, after=after)
    return m


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership) -> None:
    _editor(actor)
    m = Membership.objects.filter(pk=membership.pk).first()
    if m is None:
        raise NotFound(_("No such membership."))
    before = audit.snapshot(m, MEMBERSHIP_FIELDS)
    audit.log(actor=actor, action="org.membership.end", obj=m, before=before)
    m.delete()


# --------------------------------------------------------------------------- establishment


@transaction.atomic
def quota_set(*, actor: Any, organisation: Organisation, kind: str, approved: int,
              leadership_posts: int = 0) -> EstablishmentQuota:
    """Set the approved establishment of one kind (and its leadership posts) for a unit."""
    _editor(actor)
    errors: dict[str, list[str]] = {}
    if kind not in EstablishmentKind.values:
        errors["kind"] = [_("Choose a valid establishment kind.")]
    if approved is None or approved < 0:
        errors["approved"] = [_("Enter a number of 0 or more.")]
    if leadership_posts is None or leadership_posts < 0:
        errors["leadership_posts"] = [_("Enter a number of 0 or more.")]
    elif approved is not None and leadership_posts > approved:
        errors["leadership_posts"] = [_("Leadership posts cannot exceed the approved establishment.")]
    _check_errors(errors)
    quota = EstablishmentQuota.objects.filter(organisation=organisation, kind=kind).first()
    before = audit.snapshot(quota, QUOTA_FIELDS) if quota else None
    if quota is None:
        quota = EstablishmentQuota(organisation=organisation, kind=kind)
    quota.approved = approved
    quota.leadership_posts = leadership_posts
    after = audit.snapshot(quota, QUOTA_FIELDS)
    if before == after:
        return quota
    try:
        with transaction.atomic():
            quota.save()
    except IntegrityError as exc:
        raise Conflict(_("Someone else set this quota at the same time; reload and try again."),
                       code="state_conflict") from exc
    audit.log(actor=actor, action="org.quota.set", obj=quota, before=before, after=after)
    return quota


def _would_be_over(organisation: Organisation, kind: str, is_leadership: bool) -> dict[str, bool]:
    quota = EstablishmentQuota.objects.filter(organisation=organisation, kind=kind).first()
    current = StaffAssignment.objects.filter(organisation=organisation, ended_on__isnull=True)
    over = current.filter(kind=kind).count() + 1 > (quota.approved if quota else 0)
    lead_over = False
    if is_leadership:
        posts = sum(EstablishmentQuota.objects.filter(organisation=organisation).values_list("leadership_posts",
                                                                                             flat=True))
        lead_over = current.filter(is_leadership=True).count() + 1 > posts
    return {"over_establishment": over, "over_leadership": lead_over}


@transaction.atomic
def assignment_create(
    *, actor: Any, person: Person, organisation: Organisation, kind: str, post: str,
    is_leadership: bool = False, started_on: dt.date | None = None,
) -> StaffAssignment:
    """Place a person in an establishment slot (one person, one current slot). Over-establishment is
    allowed but flagged: the returned assignment has `.flags` and the audit event records them."""
    _editor(actor)
    errors: dict[str, list[str]] = {}
    if kind not in EstablishmentKind.values:
        errors["kind"] = [_("Choose a valid establishment kind.")]
    if not (post or "").strip():
        errors["post"] = [_("This field is required.")]
    if not organisation.is_active:
        errors["organisation"] = [_("This unit is no longer active.")]
    _check_errors(errors)
    if StaffAssignment.objects.filter(person=person, ended_on__isnull=True).exists():
        raise Conflict(_("This person already holds a current establishment slot; end it first."),
                       code="already_assigned")
    flags = _would_be_over(organisation, kind, is_leadership)
    a = StaffAssignment(person=person, organisation=organisation, kind=kind, post=post.strip(),
                        is_leadership=is_leadership, started_on=started_on or timezone.localdate())
    try:
        with transaction.atomic():
            a.save()
    except IntegrityError as exc:
        raise Conflict(_("This person already holds a current establishment slot; end it first."),
                       code="already_assigned") from exc
    audit.log(actor=actor, action="org.assignment.create", obj=a,
              after=audit.snapshot(a, ASSIGNMENT_FIELDS) | flags)
    a.flags = flags  # type: ignore[attr-defined]
    return a


@transaction.atomic
def assignment_end(*, actor: Any, assignment: StaffAssignment, ended_on: dt.date | None = None,
                   reason: str = "") -> StaffAssignment:
    _editor(actor)
    a = StaffAssignment.objects.filter(pk=assignment.pk).first()
    if a is None:
        raise NotFound(_("No such assignment."))
    ended_on = ended_on or timezone.localdate()
    if ended_on < a.started_on:
        raise _invalid("ended_on", _("The end date cannot be before the start date."))
    before = audit.snapshot(a, ASSIGNMENT_FIELDS)
    # Compare-and-set: only a current assignment can be ended.
    updated = StaffAssignment.objects.filter(pk=a.pk, ended_on__isnull=True).update(ended_on=ended_on,
                                                                                   end_reason=reason)
    if updated == 0:
        raise Conflict(_("This assignment has already ended."), code="state_conflict")
    a.refresh_from_db()
    audit.log(actor=actor, action="org.assignment.end", obj=a, before=before,
              after=audit.snapshot(a, ASSIGNMENT_FIELDS))
    return a


# --------------------------------------------------------------------------- certificates


@transaction.atomic
def certificate_issue(
    *, actor: Any, holder: Person, number: str, domains: list[Any], issued_on: dt.date, expires_on: dt.date,
    issuer: str = "",
) -> Certificate:
    _editor(actor)
    errors: dict[str, list[str]] = {}
    number = (number or "").strip()
    if not number:
        errors["number"] = [_("This field is required.")]
    elif Certificate.objects.filter(number=number).exists():
        errors["number"] = [_("A certificate with this number already exists.")]
    if not domains:
        errors["domains"] = [_("Choose at least one domain.")]
    if issued_on and expires_on and expires_on <= issued_on:
        errors["expires_on"] = [_("The expiry date must be after the issue date.")]
    _check_errors(errors)
    cert = Certificate(holder=holder, number=number, issued_on=issued_on, expires_on=expires_on, issuer=issuer)
    _full_clean(cert)
    cert.save()
    cert.domains.set(domains)
    after = audit.snapshot(cert, CERTIFICATE_FIELDS) | {"domains": sorted(d.code for d in domains)}
    audit.log(actor=actor, action="org.certificate.issue", obj=cert, after=after)
    return cert


@transaction.atomic
def certificate_renew(*, actor: Any, certificate: Certificate, expires_on: dt.date,
                      issued_on: dt.date | None = None) -> Certificate:
    _editor(actor)
    cert = Certificate.objects.filter(pk=certificate.pk).first()
    if cert is None:
        raise NotFound(_("No such certificate."))
    if expires_on <= cert.expires_on:
        raise _invalid("expires_on", _("The new expiry date must be later than the current one."))
    if issued_on is not None and expires_on <= issued_on:
        raise _invalid("expires_on", _("The expiry date must be after the issue date."))
    before = audit.snapshot(cert, CERTIFICATE_FIELDS)
    changes: dict[str, Any] = {"expires_on": expires_on}
    if issued_on is not None:
        changes["issued_on"] = issued_on
    # Compare-and-set: a revoked certificate (or one renewed meanwhile) is not renewed.
    updated = Certificate.objects.filter(pk=cert.pk, revoked_on__isnull=True, expires_on=cert.expires_on).update(
        **changes)
    if updated == 0:
        raise Conflict(_("A revoked certificate cannot be renewed, or it was changed meanwhile."),
                       code="state_conflict")
    cert.refresh_from_db()
    audit.log(actor=actor, action="org.certificate.renew", obj=cert, before=before,
              after=audit.snapshot(cert, CERTIFICATE_FIELDS))
    return cert


@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str, on: dt.date | None = None) -> Certificate:
    _editor(actor)
    cert = Certificate.objects.filter(pk=certificate.pk).first()
    if cert is None:
        raise NotFound(_("No such certificate."))
    if not (reason or "").strip():
        raise _invalid("reason", _("Give a reason for revoking."))
    before = audit.snapshot(cert, CERTIFICATE_FIELDS)
    updated = Certificate.objects.filter(pk=cert.pk, revoked_on__isnull=True).update(
        revoked_on=on or timezone.localdate(), revoke_reason=reason.strip())
    if updated == 0:
        raise Conflict(_("This certificate has already been revoked."), code="state_conflict")
    cert.refresh_from_db()
    audit.log(actor=actor, action="org.certificate.revoke", obj=cert, before=before,
              after=audit.snapshot(cert, CERTIFICATE_FIELDS))
    return cert

