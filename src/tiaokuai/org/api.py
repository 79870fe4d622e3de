"""Registry API (/api/v1/). Thin: parse, call one selector or service, shape the answer."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tiaokuai.core.api import ErrorOut, Id, paging, viewer
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.personal import check_unmasked_export, record_unmasked_export

from . import selectors, services
from .access import require_registry_editor
from .models import Division, Domain, Organisation, Person
from .schemas import (
    AssignmentEndIn,
    AssignmentIn,
    AssignmentOut,
    CertificateIn,
    CertificateOut,
    CertificateRenewIn,
    CertificateRevokeIn,
    DivisionOut,
    OrganisationDetailOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonDetailOut,
    PersonOut,
    QuotaIn,
    QuotaOut,
    StaffingReportOut,
    assignment_out,
    certificate_out,
    organisation_out,
)

router = Router(tags=["registry"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DivisionPage = paging(5000, 5000)
ORGANISATION_FIELDS = ("code", "name", "short_name", "kind", "parent__code", "division__code", "division__name",
                       "counts_toward_limit", "is_active")
OrganisationPage = paging(500, 2000)
PeoplePage = paging(200, 1000)
CertificatePage = paging(500, 2000)


@router.get("/divisions", response={200: list[DivisionOut], **ERRORS})
def list_divisions(request: HttpRequest, page: Query[DivisionPage], level: str | None = None,
                   within: str | None = None):
    qs = selectors.divisions(viewer(request), level=level, within=within)
    rows = page.window(qs.values("id", "code", "name", "level", "kind", "parent__code"))
    return [{"code": d["code"], "name": d["name"], "level": d["level"], "kind": d["kind"], "parent": d["parent__code"]}
            for d in rows]


# --------------------------------------------------------------------------- organisations


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS})
def list_organisations(request: HttpRequest, page: Query[OrganisationPage], kind: str | None = None,
                       within: str | None = None, q: str | None = None):
    rows = selectors.organisations(viewer(request), kind=kind, within=within, q=q)
    return [{"code": o["code"], "name": o["name"], "short_name": o["short_name"], "kind": o["kind"],
             "parent": o["parent__code"], "division": o["division__code"], "division_name": o["division__name"],
             "counts_toward_limit": o["counts_toward_limit"], "is_active": o["is_active"]}
            for o in page.window(rows.values("id", *ORGANISATION_FIELDS))]


def _detail(request: HttpRequest, code: str) -> dict[str, Any]:
    data = selectors.organisation_page(viewer(request), code)
    org = data["organisation"]
    out = organisation_out(org) | {
        "functions": org.functions,
        "children": [organisation_out(c) for c in data["children"]],
        "staffing": data["staffing"].staffing.as_dict() if data["staffing"] else None,
        "quotas": [{"kind": q.kind, "approved": q.approved, "leadership_posts": q.leadership_posts}
                   for q in data["quotas"]],
        "staff": [{"assignment_id": a.pk, "person_id": a.person_id, "name": a.person.name, "kind": a.kind,
                   "post": a.post, "is_leadership": a.is_leadership, "started_on": a.started_on}
                  for a in data["staff"]],
    }
    return out


@router.get("/organisations/{code}", response={200: OrganisationDetailOut, **ERRORS})
def get_organisation(request: HttpRequest, code: str):
    return _detail(request, code)


def _division(code: str | None, field: str) -> Division | None:
    if code is None:
        return None
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Invalid(_("Please correct the errors below."), details={field: [_("No such division.")]})
    return division


def _organisation(code: str | None, field: str) -> Organisation | None:
    if code is None:
        return None
    org = Organisation.objects.select_related("division", "parent").filter(code=code).first()
    if org is None:
        raise Invalid(_("Please correct the errors below."), details={field: [_("No such organisation.")]})
    return org


@router.post("/organisations", response={201: OrganisationDetailOut, **ERRORS})
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    require_registry_editor(viewer(request))
    org = services.organisation_create(
        actor=request.user, code=payload.code, name=payload.name, kind=payload.kind,
        division=_division(payload.division, "division"), parent=_organisation(payload.parent, "parent"),
        short_name=payload.short_name, counts_toward_limit=payload.counts_toward_limit, functions=payload.functions,
    )
    return Status(201, _detail(request, org.code))


@router.patch("/organisations/{code}", response={200: OrganisationDetailOut, **ERRORS})
def update_organisation(request: HttpRequest, code: str, payload: OrganisationPatch):
    v = viewer(request)
    require_registry_editor(v)
    org = selectors.organisation_detail(v, code)
    changes = payload.dict(exclude_unset=True)
    if "division" in changes:
        if changes["division"] is None:
            raise Invalid(_("Please correct the errors below."), details={"division": [_("This field is required.")]})
        changes["division"] = _division(changes["division"], "division")
    if "parent" in changes:
        changes["parent"] = _organisation(changes["parent"], "parent")
    for key in ("name", "kind", "counts_toward_limit", "is_active", "short_name", "functions"):
        if key in changes and changes[key] is None:
            raise Invalid(_("Please correct the errors below."), details={key: [_("This field cannot be empty.")]})
    services.organisation_update(actor=request.user, organisation=org, **changes)
    return _detail(request, code)


@router.put("/organisations/{code}/quotas/{kind}", response={200: QuotaOut, **ERRORS})
def set_quota(request: HttpRequest, code: str, kind: str, payload: QuotaIn):
    v = viewer(request)
    require_registry_editor(v)
    org = selectors.organisation_detail(v, code)
    quota = services.quota_set(actor=request.user, organisation=org, kind=kind, approved=payload.approved,
                               leadership_posts=payload.leadership_posts)
    return {"kind": quota.kind, "approved": quota.approved, "leadership_posts": quota.leadership_posts}


# --------------------------------------------------------------------------- staffing


@router.get("/staffing", response={200: StaffingReportOut, **ERRORS})
def staffing(request: HttpRequest, scope: str = "county", code: str | None = None):
    return selectors.staffing_report(viewer(request), scope=scope, code=code).as_dict()


# --------------------------------------------------------------------------- people


def _person_out(v: Any, p: Person, personal: dict[str, Any] | None = None) -> dict[str, Any]:
    current = next(iter(getattr(p, "current_assignments", None) or []), None)
    if current is None and not hasattr(p, "current_assignments"):
        current = p.assignments.filter(ended_on__isnull=True).select_related("organisation").first()
    return {
        "id": p.pk, "name": p.name, **(personal or selectors.personal_data(v, p)),
        "current": None if current is None else {
            "assignment_id": current.pk, "organisation": current.organisation.code,
            "organisation_name": current.organisation.name, "kind": current.kind, "post": current.post,
            "is_leadership": current.is_leadership,
        },
    }


@router.get("/people", response={200: list[PersonOut], **ERRORS})
def list_people(request: HttpRequest, page: Query[PeoplePage], q: str | None = None,
                organisation: str | None = None, unmasked: bool = False,
                purpose: str = Query("", max_length=200)):  # noqa: B008
    """ID numbers and phones masked; unmasked=true with a purpose is for holders of the permission to export
    unmasked data (403 otherwise), and is audited with the row count."""
    v = viewer(request)
    if unmasked:
        purpose = check_unmasked_export(actor=request.user, purpose=purpose)
    rows = list(page.window(selectors.people_values(selectors.people(v, q=q, organisation=organisation))))
    slots = selectors.current_slots([p["id"] for p in rows])
    out = [{"id": p["id"], "name": p["name"],
            **({"id_number": p["id_number"], "phone": p["phone"], "masked": False} if unmasked
               else selectors.masked_personal_data(p["id_number"], p["phone"])),
            "current": slots.get(p["id"])} for p in rows]
    if not unmasked:
        return out
    record_unmasked_export(actor=request.user, what="org.people", label=_("People"), rows=len(out), purpose=purpose,
                           filters={"q": q or "", "organisation": organisation or ""})
    return out


@router.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS})
def get_person(request: HttpRequest, person_id: Id, reveal: bool = False,
               purpose: str = Query("", max_length=200)):  # noqa: B008
    """ID number and phone are masked; the establishment office reveals them for this record with reveal=true
    and a purpose, which is audited."""
    v = viewer(request)
    if reveal and not purpose.strip():
        selectors.person_detail(v, person_id)  # 404 first for a person the caller may not see
        raise Invalid(_("Please correct the errors below."),
                      details={"purpose": [_("Say why you need the full ID number and phone.")]})
    data = selectors.person_page(v, person_id, reveal=reveal)
    person = data["person"]
    if not data["personal"]["masked"]:
        services.person_personal_data_viewed(actor=request.user, person=person, purpose=purpose)
    return _person_out(v, person, data["personal"]) | {
        "memberships": [
            {"organisation": m.organisation.code, "organisation_name": m.organisation.name, "role": m.role,
             "title": m.title, "is_head": m.is_head, "division": m.division.code if m.division else None}
            for m in data["memberships"]
        ],
    }


# --------------------------------------------------------------------------- assignments


@router.post("/assignments", response={201: AssignmentOut, **ERRORS})
def create_assignment(request: HttpRequest, payload: AssignmentIn):
    require_registry_editor(viewer(request))
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise Invalid(_("Please correct the errors below."), details={"person_id": [_("No such person.")]})
    org = _organisation(payload.organisation, "organisation")
    a = services.assignment_create(actor=request.user, person=person, organisation=org, kind=payload.kind,
                                   post=payload.post, is_leadership=payload.is_leadership,
                                   started_on=payload.started_on)
    return Status(201, assignment_out(a))


@router.post("/assignments/{assignment_id}/end", response={200: AssignmentOut, **ERRORS})
def end_assignment(request: HttpRequest, assignment_id: Id, payload: AssignmentEndIn):
    require_registry_editor(viewer(request))
    from .models import StaffAssignment

    a = StaffAssignment.objects.select_related("person", "organisation").filter(pk=assignment_id).first()
    if a is None:
        raise NotFound(_("No such assignment."))
    a = services.assignment_end(actor=request.user, assignment=a, ended_on=payload.ended_on, reason=payload.reason)
    return assignment_out(a)


# --------------------------------------------------------------------------- certificates


@router.get("/certificates", response={200: list[CertificateOut], **ERRORS})
def list_certificates(request: HttpRequest, page: Query[CertificatePage], state: str | None = None,
                      domain: str | None = None, q: str | None = None):
    qs = selectors.certificate_values(selectors.certificates(viewer(request), state=state, domain=domain, q=q))
    rows = list(page.window(qs))
    domains = selectors.certificate_domain_codes([r["id"] for r in rows])
    return [{"id": r["id"], "number": r["number"], "holder_id": r["holder_id"], "holder_name": r["holder__name"],
             "domains": domains[r["id"]], "issued_on": r["issued_on"], "expires_on": r["expires_on"],
             "revoked_on": r["revoked_on"], "issuer": r["issuer"], "state": r["state"]} for r in rows]


def _certificate_response(request: HttpRequest, cert_id: int) -> dict[str, Any]:
    c = selectors.certificate_detail(viewer(request), cert_id)
    return certificate_out(c, c.state)


@router.post("/certificates", response={201: CertificateOut, **ERRORS})
def issue_certificate(request: HttpRequest, payload: CertificateIn):
    require_registry_editor(viewer(request))
    holder = Person.objects.filter(pk=payload.holder_id).first()
    if holder is None:
        raise Invalid(_("Please correct the errors below."), details={"holder_id": [_("No such person.")]})
    domains = list(Domain.objects.filter(code__in=payload.domains))
    missing = sorted(set(payload.domains) - {d.code for d in domains})
    if missing:
        raise Invalid(_("Please correct the errors below."),
                      details={"domains": [_("No such domain: %(codes)s") % {"codes": ", ".join(missing)}]})
    cert = services.certificate_issue(actor=request.user, holder=holder, number=payload.number, domains=domains,
                                      issued_on=payload.issued_on, expires_on=payload.expires_on,
                                      issuer=payload.issuer)
    return Status(201, _certificate_response(request, cert.pk))


@router.post("/certificates/{cert_id}/renew", response={200: CertificateOut, **ERRORS})
def renew_certificate(request: HttpRequest, cert_id: Id, payload: CertificateRenewIn):
    v = viewer(request)
    require_registry_editor(v)
    cert = selectors.certificate_detail(v, cert_id)
    services.certificate_renew(actor=request.user, certificate=cert, expires_on=payload.expires_on,
                               issued_on=payload.issued_on)
    return _certificate_response(request, cert_id)


@router.post("/certificates/{cert_id}/revoke", response={200: CertificateOut, **ERRORS})
def revoke_certificate(request: HttpRequest, cert_id: Id, payload: CertificateRevokeIn):
    v = viewer(request)
    require_registry_editor(v)
    cert = selectors.certificate_detail(v, cert_id)
    services.certificate_revoke(actor=request.user, certificate=cert, reason=payload.reason, on=payload.revoked_on)
    return _certificate_response(request, cert_id)
