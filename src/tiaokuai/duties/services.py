"""Writes to the lists. Every write: access check → validate → change → one audit event.

Releases are generic over the list kind: the whistle list (app `whistles`) is versioned through the same
ListRelease rows with kind="whistle". An app that keeps its own rows per release registers
  DRAFT_COPIERS[kind] = fn(old_release | None, new_release)   # copy its rows into a new draft
  PUBLISH_VALIDATORS[kind] = fn(release) -> {key: [messages]}  # refuse publishing when not empty
Matters (and their assignments and steps) of a release are copied and validated for every kind.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.org.models import Organisation

from . import selectors
from .access import access_matter, access_release, require_list_editor
from .choices import (
    TERRITORIAL_TOWNSHIP_LABEL,
    BodyKind,
    DutyRole,
    ListKind,
    ReleaseStatus,
)
from .models import Assignment, Domain, ListRelease, Matter, ProcessStep
from .workflows import RELEASE

DraftCopier = Callable[[ListRelease | None, ListRelease], None]
PublishValidator = Callable[[ListRelease], Mapping[str, list[str]]]

DRAFT_COPIERS: dict[str, DraftCopier] = {}
PUBLISH_VALIDATORS: dict[str, PublishValidator] = {}

MATTER_FIELDS = ["code", "name", "domain", "kind", "legal_basis", "description", "keywords"]


# ---------------------------------------------------------------- releases

@transaction.atomic
def release_start_draft(*, actor: Any, kind: str = ListKind.RESPONSIBILITY, title: str = "") -> ListRelease:
    """Start the draft of the next version: a copy of the latest published version of this list."""
    require_list_editor(actor)
    if kind not in ListKind.values:
        raise Invalid(_("Please correct the errors below."), details={"kind": [_("Unknown list.")]})
    existing = selectors.draft_of(kind)
    if existing is not None:
        raise Conflict(_("A draft of this list already exists (version %(number)s).") % {"number": existing.number},
                       code="draft_exists")
    base = selectors.latest_published(kind)
    last_number = ListRelease.objects.filter(kind=kind).order_by("-number").values_list("number", flat=True).first()
    number = (last_number or 0) + 1
    try:
        with transaction.atomic():
            release = ListRelease.objects.create(
                kind=kind, number=number, title=(title or (base.title if base else ListKind(kind).label))[:120],
                status=ReleaseStatus.DRAFT, based_on=base, created_at=timezone.now(),
            )
    except IntegrityError as exc:  # someone else started a draft at the same moment
        raise Conflict(_("A draft of this list already exists."), code="draft_exists") from exc
    if base is not None:
        copy_matters(base, release)
    copier = DRAFT_COPIERS.get(kind)
    if copier is not None:
        copier(base, release)
    audit.log(actor=actor, action="duties.release.start_draft", obj=release,
              after={"kind": kind, "number": number, "based_on": base.pk if base else None})
    return release


def copy_matters(source: ListRelease, target: ListRelease) -> None:
    """Copy every matter with its assignments and steps from one release into another (bulk)."""
    matters = list(source.matters.prefetch_related("assignments", "steps").order_by("code"))
    new_matters = Matter.objects.bulk_create([
        Matter(release=target, code=m.code, name=m.name, domain_id=m.domain_id, kind=m.kind,
               legal_basis=m.legal_basis, description=m.description, keywords=m.keywords)
        for m in matters
    ])
    by_code = {m.code: m for m in new_matters}
    if any(m.pk is None for m in new_matters):  # backends that do not return ids from bulk_create
        by_code = {m.code: m for m in target.matters.all()}
    assignments, steps = [], []
    for m in matters:
        new = by_code[m.code]
        assignments += [Assignment(matter=new, body_kind=a.body_kind, organisation_id=a.organisation_id, role=a.role,
                                   duty=a.duty) for a in m.assignments.all()]
        steps += [ProcessStep(matter=new, order=s.order, body_kind=s.body_kind, organisation_id=s.organisation_id,
                              action=s.action, time_limit_days=s.time_limit_days) for s in m.steps.all()]
    Assignment.objects.bulk_create(assignments)
    ProcessStep.objects.bulk_create(steps)


def publish_problems(release: ListRelease, effective_from: dt.date | None) -> dict[str, list[str]]:
    """Why this draft may not be published with this date (empty when it may)."""
    problems: dict[str, list[str]] = {}
    if effective_from is None:
        problems["effective_from"] = [_("This field is required.")]
    else:
        latest = selectors.latest_published(release.kind)
        if latest is not None and latest.effective_from and effective_from <= latest.effective_from:
            problems["effective_from"] = [
                _("The effective date must be after %(date)s, the effective date of version %(number)s.")
                % {"date": latest.effective_from.isoformat(), "number": latest.number}
            ]
    for matter in release.matters.prefetch_related("assignments").order_by("code"):
        primaries = [a for a in matter.assignments.all() if a.role == DutyRole.PRIMARY]
        if len(primaries) != 1:
            problems[f"matters.{matter.code}"] = [
                _("Matter %(code)s “%(name)s” needs exactly one primary body; it has %(count)d.")
                % {"code": matter.code, "name": matter.name, "count": len(primaries)}
            ]
    validator = PUBLISH_VALIDATORS.get(release.kind)
    if validator is not None:
        for key, messages in validator(release).items():
            problems.setdefault(key, []).extend(messages)
    return problems


@transaction.atomic
def release_publish(*, actor: Any, release_id: Any, effective_from: dt.date | None,
                    notes: str | None = None) -> ListRelease:
    """Publish a draft: from the effective date on it is the version in force, and it never changes again."""
    require_list_editor(actor)
    release = access_release(actor, release_id, "edit")
    if release.status not in RELEASE.action("publish").sources:
        raise Conflict(_("This version is already published and cannot be changed."), code="release_published")
    problems = publish_problems(release, effective_from)
    if problems:
        raise Invalid(_("This version cannot be published yet."), details=problems)
    changes: dict[str, Any] = {"effective_from": effective_from, "published_at": timezone.now(),
                               "published_by": actor}
    if notes is not None:
        changes["notes"] = notes
    matters = release.matters.count()
    try:
        with transaction.atomic():
            RELEASE.apply("publish", release, actor=actor, after={
                "effective_from": effective_from.isoformat() if effective_from else None, "matters": matters},
                **changes)
    except IntegrityError as exc:
        raise Invalid(_("This version cannot be published yet."), details={
            "effective_from": [_("Another version of this list already takes effect on that date.")]}) from exc
    return release


@transaction.atomic
def release_update(*, actor: Any, release_id: Any, title: str, notes: str = "") -> ListRelease:
    require_list_editor(actor)
    release = _draft(actor, release_id)
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Please correct the errors below."), details={"title": [_("This field is required.")]})
    before = audit.snapshot(release, ["title", "notes"])
    release.title, release.notes = title[:120], notes or ""
    release.save(update_fields=["title", "notes"])
    audit.log(actor=actor, action="duties.release.update", obj=release, before=before,
              after=audit.snapshot(release, ["title", "notes"]))
    return release


@transaction.atomic
def release_discard(*, actor: Any, release_id: Any) -> None:
    """Throw a draft away (its matters with it)."""
    require_list_editor(actor)
    release = _draft(actor, release_id)
    audit.log(actor=actor, action="duties.release.discard", obj=release,
              before={"number": release.number, "matters": release.matters.count()})
    deleted, _rows = ListRelease.objects.filter(pk=release.pk, status=ReleaseStatus.DRAFT).delete()
    if not deleted:
        raise Conflict(_("This version is already published and cannot be changed."), code="release_published")


def _draft(actor: Any, release_id: Any) -> ListRelease:
    release = access_release(actor, release_id, "edit")
    if release.status != ReleaseStatus.DRAFT:
        raise Conflict(_("This version is already published and cannot be changed."), code="release_published")
    return release


# ---------------------------------------------------------------- matters in a draft

def _matter_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in MATTER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "domain":
            if isinstance(value, Domain):
                values["domain_id"] = value.pk
            else:
                domain = Domain.objects.filter(code=value).first() if isinstance(value, str) else \
                    Domain.objects.filter(pk=value).first()
                if domain is None:
                    raise Invalid(_("Please correct the errors below."),
                                  details={"domain": [_("Unknown domain.")]})
                values["domain_id"] = domain.pk
        else:
            values[name] = (value or "").strip() if isinstance(value, str) or value is None else value
    return values


def _full_clean(matter: Matter) -> None:
    try:
        matter.full_clean(exclude=["release"])
    except ValidationError as exc:
        raise Invalid.from_django(exc) from exc


@transaction.atomic
def matter_create(*, actor: Any, release_id: Any, data: Mapping[str, Any]) -> Matter:
    require_list_editor(actor)
    release = _draft(actor, release_id)
    matter = Matter(release=release, **_matter_values(data))
    _full_clean(matter)
    if release.matters.filter(code=matter.code).exists():
        raise Invalid(_("Please correct the errors below."),
                      details={"code": [_("A matter with this code is already in this version.")]})
    matter.save()
    audit.log(actor=actor, action="duties.matter.create", obj=matter, after=audit.snapshot(matter, MATTER_FIELDS))
    return matter


@transaction.atomic
def matter_update(*, actor: Any, matter_id: Any, data: Mapping[str, Any]) -> Matter:
    require_list_editor(actor)
    matter = access_matter(actor, matter_id, "edit")
    _draft(actor, matter.release_id)
    before = audit.snapshot(matter, MATTER_FIELDS)
    for key, value in _matter_values(data).items():
        setattr(matter, key, value)
    _full_clean(matter)
    if matter.release.matters.filter(code=matter.code).exclude(pk=matter.pk).exists():
        raise Invalid(_("Please correct the errors below."),
                      details={"code": [_("A matter with this code is already in this version.")]})
    matter.save()
    audit.log(actor=actor, action="duties.matter.update", obj=matter, before=before,
              after=audit.snapshot(matter, MATTER_FIELDS))
    return matter


@transaction.atomic
def matter_delete(*, actor: Any, matter_id: Any) -> None:
    require_list_editor(actor)
    matter = access_matter(actor, matter_id, "edit")
    release = _draft(actor, matter.release_id)
    before = selectors.matter_dump(matter)
    matter.delete()
    audit.log(actor=actor, action="duties.matter.delete", obj=release, before=before)


def _body(value: Any) -> tuple[str, Organisation | None] | None:
    """(body kind, organisation) named by a form/API value: a unit (object, id or code), or the territorial role
    ("territorial_township" or its label 属地乡镇（街道）); None when the value names nothing known."""
    if isinstance(value, str) and value.strip() in TERRITORIAL_VALUES:
        return BodyKind.TERRITORIAL_TOWNSHIP, None
    org = _organisation(value)
    return (BodyKind.ORGANISATION, org) if org is not None else None


TERRITORIAL_VALUES = {BodyKind.TERRITORIAL_TOWNSHIP.value, TERRITORIAL_TOWNSHIP_LABEL}


def _organisation(value: Any) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    if isinstance(value, str) and not value.isdigit():
        return Organisation.objects.filter(code=value).first()
    return Organisation.objects.filter(pk=value).first()


@transaction.atomic
def matter_set_assignments(*, actor: Any, matter_id: Any, assignments: Iterable[Mapping[str, Any]]) -> Matter:
    """Replace the bodies of a matter. Each item: organisation (id, code or object, or "territorial_township" for
    the role 属地乡镇（街道）), role, duty."""
    require_list_editor(actor)
    matter = access_matter(actor, matter_id, "edit")
    _draft(actor, matter.release_id)
    errors: dict[str, list[str]] = {}
    rows: list[Assignment] = []
    seen: set[Any] = set()
    primaries = 0
    for i, item in enumerate(assignments):
        body = _body(item.get("organisation"))
        role = item.get("role")
        duty = (item.get("duty") or "").strip()
        key = (body[0], body[1].pk if body[1] is not None else None) if body is not None else None
        if body is None:
            errors.setdefault(f"assignments.{i}.organisation", []).append(_("Unknown body."))
        elif key in seen:
            errors.setdefault(f"assignments.{i}.organisation", []).append(_("This body is listed twice."))
        else:
            seen.add(key)
        if role not in DutyRole.values:
            errors.setdefault(f"assignments.{i}.role", []).append(_("Choose primary or coordinating."))
        elif role == DutyRole.PRIMARY:
            primaries += 1
            if primaries > 1:
                errors.setdefault(f"assignments.{i}.role", []).append(_("A matter has only one primary body."))
        if not duty:
            errors.setdefault(f"assignments.{i}.duty", []).append(_("This field is required."))
        if body is not None:
            rows.append(Assignment(matter=matter, body_kind=body[0], organisation=body[1], role=role or "", duty=duty))
    return _replace_rows(actor=actor, matter=matter, part="assignments", rows=rows, errors=errors)


@transaction.atomic
def matter_set_steps(*, actor: Any, matter_id: Any, steps: Iterable[Mapping[str, Any]]) -> Matter:
    """Replace the process flow of a matter. Each item: order, organisation (optional), action, time_limit_days."""
    require_list_editor(actor)
    matter = access_matter(actor, matter_id, "edit")
    _draft(actor, matter.release_id)
    errors: dict[str, list[str]] = {}
    rows: list[ProcessStep] = []
    orders: set[int] = set()
    for i, item in enumerate(steps):
        order = item.get("order") or i + 1
        org_value = item.get("organisation")
        body = _body(org_value)
        action = (item.get("action") or "").strip()
        days = item.get("time_limit_days")
        if not isinstance(order, int) or order < 1:
            errors.setdefault(f"steps.{i}.order", []).append(_("Enter a whole number from 1."))
        elif order in orders:
            errors.setdefault(f"steps.{i}.order", []).append(_("Two steps have the same number."))
        else:
            orders.add(order)
        if org_value not in (None, "") and body is None:
            errors.setdefault(f"steps.{i}.organisation", []).append(_("Unknown body."))
        if not action:
            errors.setdefault(f"steps.{i}.action", []).append(_("This field is required."))
        elif len(action) > 200:
            errors.setdefault(f"steps.{i}.action", []).append(_("At most 200 characters."))
        if days not in (None, "") and (not isinstance(days, int) or days < 0):
            errors.setdefault(f"steps.{i}.time_limit_days", []).append(_("Enter a whole number of working days."))
        rows.append(ProcessStep(matter=matter, order=order if isinstance(order, int) else 0,
                                body_kind=body[0] if body else BodyKind.ORGANISATION,
                                organisation=body[1] if body else None, action=action, time_limit_days=days if days not in ("",) else None))
    return _replace_rows(actor=actor, matter=matter, part="steps", rows=rows, errors=errors)


def _replace_rows(*, actor: Any, matter: Matter, part: str, rows: list[Any], errors: dict[str, list[str]]) -> Matter:
    """The common end of matter_set_assignments / matter_set_steps: refuse with every error, or
    replace the matter's rows of that part and write one audit event with before and after."""
    if errors:
        raise Invalid(_("Please correct the errors below."), details=errors)
    before = selectors.matter_dump(matter)[part]
    getattr(matter, part).all().delete()
    if rows:
        type(rows[0])._default_manager.bulk_create(rows)
    audit.log(actor=actor, action=f"duties.matter.set_{part}", obj=matter, before={part: before},
              after={part: selectors.matter_dump(matter)[part]})
    return matter


# ---------------------------------------------------------------- spreadsheet import

@transaction.atomic
def release_import_xlsx(*, actor: Any, release_id: Any, content: bytes) -> ListRelease:
    """Replace the draft's content with the workbook's. Any bad row: nothing is saved, every problem is
    reported with its sheet, row and column (Invalid.details["rows"])."""
    from . import xlsx

    require_list_editor(actor)
    release = _draft(actor, release_id)
    parsed = xlsx.parse_workbook(content)
    if parsed.errors:
        raise Invalid(
            _("The workbook has %(count)d problem(s); nothing was imported.") % {"count": len(parsed.errors)},
            code="invalid_rows", details={"rows": [e.as_dict() for e in parsed.errors]},
        )
    before = {"matters": release.matters.count()}
    release.matters.all().delete()
    new_matters = Matter.objects.bulk_create([
        Matter(release=release, code=m.code, name=m.name, domain_id=m.domain_id, kind=m.kind,
               legal_basis=m.legal_basis, description=m.description, keywords=m.keywords)
        for m in parsed.matters
    ])
    by_code = {m.code: m for m in new_matters}
    if any(m.pk is None for m in new_matters):
        by_code = {m.code: m for m in release.matters.all()}
    Assignment.objects.bulk_create([
        Assignment(matter=by_code[m.code], body_kind=a.body_kind, organisation_id=a.organisation_id, role=a.role,
                   duty=a.duty)
        for m in parsed.matters for a in m.assignments
    ])
    ProcessStep.objects.bulk_create([
        ProcessStep(matter=by_code[m.code], order=s.order, body_kind=s.body_kind, organisation_id=s.organisation_id,
                    action=s.action, time_limit_days=s.time_limit_days)
        for m in parsed.matters for s in m.steps
    ])
    audit.log(actor=actor, action="duties.release.import", obj=release, before=before,
              after={"matters": len(new_matters)})
    return release


__all__ = [
    "DRAFT_COPIERS", "PUBLISH_VALIDATORS", "NotFound", "copy_matters", "matter_create", "matter_delete",
    "matter_set_assignments", "matter_set_steps", "matter_update", "publish_problems", "release_discard",
    "release_import_xlsx", "release_publish", "release_start_draft", "release_update",
]
