"""Registry pages. Thin: parse, call one selector or service, render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tiaokuai.core import timeline
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.listing import export_xlsx, form_filters, list_page, xlsx_response

from . import selectors, services
from .access import require_registry_editor, require_registry_reader
from .choices import CertificateState, EstablishmentKind, StaffingState
from .forms import (
    AssignmentEndForm,
    AssignmentForm,
    CertificateFilterForm,
    CertificateForm,
    CertificateRenewForm,
    CertificateRevokeForm,
    MembershipForm,
    OrganisationEditForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonFilterForm,
    PersonForm,
    QuotaForm,
    apply_errors,
)
from .models import Division, StaffAssignment


def registry_view(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only (a citizen gets 403: access.require_registry_reader); missing-or-forbidden (NotFound)
    becomes a plain 404."""

    @login_required
    @wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_registry_reader(viewer_for(request.user))
        try:
            return fn(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def _submit(request: HttpRequest, form: Any, call: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service with a valid form's data; per-field errors go back onto the form."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except Invalid as exc:
        apply_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, submit: str | None = None) -> HttpResponse:
    back_url = back if back.startswith("/") else reverse(back)
    return render(request, "org/form.html", {"form": form, "title": title, "back_url": back_url,
                                             "submit_label": submit or _("Save")})


# --------------------------------------------------------------------------- organisations


ORGANISATION_SORTS = {"code": "code", "name": "name", "kind": "kind", "parent": ("parent__code",),
                      "division": ("division__code",), "status": ("-is_active",)}


@registry_view
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Organisations (core.listing), or ?view=tree: the same filter as a collapsible tree, top level folded."""
    viewer = viewer_for(request.user)
    townships = selectors.divisions(viewer, level="township")
    form = OrganisationFilterForm(request.GET or None, townships=townships)
    filters = form_filters(form)
    tree = filters.pop("view", "") == "tree"
    orgs = selectors.organisations(viewer, kind=filters.get("kind"), township=filters.get("township"),
                                   q=filters.get("q")).select_related("parent", "division")
    context: dict[str, Any] = {"form": form, "tree": tree, "can_edit": viewer.can_edit_registry,
                               "filtered": bool(filters)}
    if tree:
        # A search shows each match with the units above it (folded open), not the matches torn from their place.
        matches = list(orgs)
        context["nodes"] = (selectors.organisation_path_forest(viewer, matches) if filters
                            else selectors.organisation_forest(matches))
        context["count"] = sum(1 for m in matches)
        return render(request, "org/organisation_tree.html", context)
    lp = list_page(request, orgs, sorts=ORGANISATION_SORTS, default="code", filters=filters, columns=[
        (_("Code"), "code"), (_("Name"), "name"), (_("Kind"), "kind"), (_("Parent unit"), "parent"),
        (_("Division served"), "division"), (_("Status"), "status")])
    if lp.export:
        return xlsx_response("organisations", [h.label for h in lp.headers], (
            [o.code, o.name, o.get_kind_display(), o.parent.name if o.parent_id else "", o.division.name,
             _("Active") if o.is_active else _("Inactive")] for o in lp.rows_for_export()),
            widths=(16, 30, 16, 30, 16, 8))
    context["list"] = lp
    return render(request, "org/organisation_list.html", context)


@registry_view
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    data = selectors.organisation_page(viewer, code)
    org = data["organisation"]
    data.update({
        "can_edit": viewer.can_edit_registry,
        "events": timeline.render(selectors.organisation_timeline(org)) if data["can_see_staffing"] else [],
        "township": selectors.township_of(org.division),
    })
    return render(request, "org/organisation_detail.html", data)


@registry_view
def organisation_create(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    form = OrganisationForm(request.POST or None, initial={"kind": request.GET.get("kind"),
                                                          "parent": _org_id(request.GET.get("parent"))})
    if request.method == "POST":
        org = _submit(request, form, lambda d: services.organisation_create(actor=request.user, **d))
        if org is not None:
            messages.success(request, _("Organisation created."))
            return redirect("org:organisation", code=org.code)
    return _form_page(request, form, title=_("New organisation"), back="org:organisations")


def _org_id(code: str | None) -> int | None:
    from .models import Organisation

    if not code:
        return None
    return Organisation.objects.filter(code=code).values_list("pk", flat=True).first()


@registry_view
def organisation_edit(request: HttpRequest, code: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    org = selectors.organisation_detail(viewer, code)
    initial = {"name": org.name, "short_name": org.short_name, "kind": org.kind, "parent": org.parent_id,
               "division": org.division_id, "counts_toward_limit": org.counts_toward_limit,
               "is_active": org.is_active, "functions": org.functions}
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.organisation_update(actor=request.user, organisation=org,
                                                                             **d))
        if done is not None:
            messages.success(request, _("Organisation saved."))
            return redirect("org:organisation", code=org.code)
    return _form_page(request, form, title=_("Edit %(name)s") % {"name": org.name}, back=org_url(org.code))


def org_url(code: str) -> str:
    return reverse("org:organisation", kwargs={"code": code})


@registry_view
def quota_edit(request: HttpRequest, code: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    org = selectors.organisation_detail(viewer, code)
    kind = request.GET.get("kind") or EstablishmentKind.ADMINISTRATIVE
    existing = org.quotas.filter(kind=kind).first()
    initial = {"kind": kind, "approved": existing.approved if existing else 0,
               "leadership_posts": existing.leadership_posts if existing else 0}
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.quota_set(actor=request.user, organisation=org, **d))
        if done is not None:
            messages.success(request, _("Establishment saved."))
            return redirect("org:organisation", code=org.code)
    return _form_page(request, form, title=_("Establishment of %(name)s") % {"name": org.name},
                      back=org_url(org.code))


@registry_view
def assignment_create(request: HttpRequest, code: str) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    org = selectors.organisation_detail(viewer, code)
    form = AssignmentForm(request.POST or None, initial={"person": request.GET.get("person"),
                                                        "kind": request.GET.get("kind")})
    if request.method == "POST":
        a = _submit(request, form, lambda d: services.assignment_create(actor=request.user, organisation=org, **d))
        if a is not None:
            if a.flags.get("over_establishment") or a.flags.get("over_leadership"):
                messages.warning(request, _("Assigned; the unit is now over its establishment."))
            else:
                messages.success(request, _("Assigned."))
            return redirect("org:organisation", code=org.code)
    return _form_page(request, form, title=_("Assign a person to %(name)s") % {"name": org.name},
                      back=org_url(org.code), submit=_("Assign"))


@registry_view
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    a = StaffAssignment.objects.select_related("person", "organisation").filter(pk=pk).first()
    if a is None:
        raise NotFound(_("No such assignment."))
    form = AssignmentEndForm(request.POST or None)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.assignment_end(
            actor=request.user, assignment=a, ended_on=d["ended_on"], reason=d["reason"]))
        if done is not None:
            messages.success(request, _("Assignment ended."))
            return redirect("org:organisation", code=a.organisation.code)
    return _form_page(request, form, title=_("End %(person)s's assignment (%(post)s)") % {
        "person": a.person.name, "post": a.post}, back=org_url(a.organisation.code), submit=_("End assignment"))


# --------------------------------------------------------------------------- divisions


@registry_view
def division_tree(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    data = selectors.division_drilldown(viewer, within=request.GET.get("within") or None)
    return render(request, "org/division_tree.html", data)


# --------------------------------------------------------------------------- staffing


@registry_view
def staffing(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    scope = request.GET.get("scope") or "county"
    code = request.GET.get("code") or None
    if scope == "county" and not viewer.county_wide and not code and len(viewer.township_ids) == 1:
        scope = "township"
        code = Division.objects.filter(pk=next(iter(viewer.township_ids))).values_list("code", flat=True).first()
    report = selectors.staffing_report(viewer, scope=scope, code=code)
    only_problems = request.GET.get("problems") == "1"
    units = [u for u in report.units if u.staffing.state != "ok"] if only_problems else report.units
    q = (request.GET.get("q") or "").strip()[:100]
    if q:  # a unit by its name or code (the figures above stay those of the whole scope)
        units = [u for u in units if q in u.organisation.name or q.lower() in u.organisation.code.lower()]
    kinds = report.totals.rows
    lp = list_page(request, units, sorts=STAFFING_SORTS, default="unit",
                   filters={"q": q, "problems": only_problems}, columns=[
                       (_("Unit"), "unit"), (_("Kind"), "kind"), *[(label, "") for _kind, label, _f in kinds],
                       (_("Leadership posts"), "leadership"), (_("Status"), "status")])
    if lp.export:
        states = dict(StaffingState.choices)
        return xlsx_response("staffing", [_("Unit"), _("Code"), _("Kind"), *[
            _("%(kind)s (actual / approved)") % {"kind": label} for _kind, label, _f in kinds],
            _("Leadership posts (actual / approved)"), _("Status")], (
            [u.organisation.name, u.organisation.code, u.organisation.get_kind_display(),
             *[f"{f.actual} / {f.approved}" for _kind, _label, f in u.staffing.rows],
             f"{u.staffing.leadership.actual} / {u.staffing.leadership.approved}", states[u.staffing.state]]
            for u in lp.rows_for_export()), widths=(30, 16, 14, *[16] * len(kinds), 18, 10))
    return render(request, "org/staffing.html", {
        "report": report, "list": lp, "page_obj": lp.page_obj, "q": q, "unit_count": len(units),
        "only_problems": only_problems, "scope": scope, "code": code or "",
        "townships": selectors.divisions(viewer, level="township") if viewer.county_wide else [],
    })


# Units over establishment first, then those with vacancies (the order a clerk works them in).
STAFFING_STATE_ORDER = {StaffingState.OVER: 0, StaffingState.VACANT: 1, StaffingState.OK: 2}
STAFFING_SORTS = {
    "unit": lambda u: u.organisation.code,
    "kind": lambda u: (u.organisation.kind, u.organisation.code),
    "leadership": lambda u: (u.staffing.leadership.actual - u.staffing.leadership.approved, u.organisation.code),
    "status": lambda u: (STAFFING_STATE_ORDER[u.staffing.state], u.organisation.code),
}


# --------------------------------------------------------------------------- people


PERSON_SORTS = {"name": ("name",)}


@registry_view
def person_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    form = PersonFilterForm(request.GET or None)
    filters = form_filters(form)
    lp = list_page(request, selectors.people(viewer, q=filters.get("q"), organisation=filters.get("organisation")),
                   sorts=PERSON_SORTS, default="name", filters=filters, personal_data=True, columns=[
                       (_("Name"), "name"), (_("ID number"), ""), (_("Phone"), ""),
                       (_("Current establishment slot"), "")])
    if lp.export:  # masked like the page (selectors.personal_data) unless the unmasked export is granted
        def export_rows(unmasked: bool) -> Any:
            for p in lp.rows_for_export():
                personal = {"id_number": p.id_number, "phone": p.phone} if unmasked \
                    else selectors.personal_data(viewer, p)
                yield [p.name, personal["id_number"], personal["phone"],
                       "、".join(f"{a.organisation.name} · {a.post}" for a in p.current_assignments)]
        return export_xlsx(request, "people", [h.label for h in lp.headers], export_rows, what="org.people",
                           label=_("People"), filters=filters, widths=(12, 22, 16, 40))
    rows = [(p, selectors.personal_data(viewer, p)) for p in lp.page_obj]
    return render(request, "org/person_list.html", {"form": form, "list": lp, "rows": rows,
                                                    "can_edit": viewer.can_edit_registry})


@registry_view
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    purpose = (request.GET.get("purpose") or "").strip()[:200]
    data = selectors.person_page(viewer, pk, reveal=bool(request.GET.get("reveal")) and bool(purpose))
    data["purpose_missing"] = bool(request.GET.get("reveal")) and not purpose
    if not data["personal"]["masked"]:
        services.person_personal_data_viewed(actor=request.user, person=data["person"], purpose=purpose)
    data["can_edit"] = viewer.can_edit_registry
    from tiaokuai.core.audit import timeline as events_of

    data["events"] = timeline.render(events_of(data["person"]).exclude(action="org.person.view_personal_data"))
    return render(request, "org/person_detail.html", data)


@registry_view
def person_create(request: HttpRequest) -> HttpResponse:
    require_registry_editor(viewer_for(request.user))
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        person = _submit(request, form, lambda d: services.person_create(actor=request.user, **d))
        if person is not None:
            messages.success(request, _("Person registered."))
            return redirect("org:person", pk=person.pk)
    return _form_page(request, form, title=_("Register a person"), back="org:people")


@registry_view
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    person = selectors.person_detail(viewer, pk)
    form = PersonForm(request.POST or None, initial={"name": person.name, "id_number": person.id_number,
                                                     "phone": person.phone})
    if request.method != "POST":  # the form shows the full ID number and phone: a reveal like any other
        services.person_personal_data_viewed(actor=request.user, person=person, purpose=_("editing the record"))
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.person_update(actor=request.user, person=person, **d))
        if done is not None:
            messages.success(request, _("Person saved."))
            return redirect("org:person", pk=person.pk)
    return _form_page(request, form, title=_("Edit %(name)s") % {"name": person.name},
                      back=reverse("org:person", kwargs={"pk": pk}))


@registry_view
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    person = selectors.person_detail(viewer, pk)
    form = MembershipForm(request.POST or None)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.membership_create(actor=request.user, person=person, **d))
        if done is not None:
            messages.success(request, _("Membership added."))
            return redirect("org:person", pk=person.pk)
    return _form_page(request, form, title=_("Add %(name)s to a unit") % {"name": person.name},
                      back=reverse("org:person", kwargs={"pk": pk}))


# --------------------------------------------------------------------------- certificates


CERTIFICATE_SORTS = {"number": "number", "holder": ("holder__name",), "issued": "issued_on",
                     "expires": "expires_on", "status": "state"}


@registry_view
def certificate_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    form = CertificateFilterForm(request.GET or None, states=CertificateState.choices)
    filters = form_filters(form)
    lp = list_page(request, selectors.certificates(viewer, **filters), sorts=CERTIFICATE_SORTS, default="expires",
                   filters=filters, columns=[
                       (_("Certificate number"), "number"), (_("Holder"), "holder"), (_("Domains"), ""),
                       (_("Issued on"), "issued"), (_("Expires on"), "expires"), (_("Status"), "status")]
                   + ([(_("Actions"), "")] if viewer.can_edit_registry else []))
    if lp.export:
        labels = dict(CertificateState.choices)
        return xlsx_response("certificates", [h.label for h in lp.headers][:6], (
            [c.number, c.holder.name, "、".join(d.name for d in c.domains.all()), c.issued_on, c.expires_on,
             labels.get(c.state, c.state)] for c in lp.rows_for_export()), widths=(20, 12, 30, 12, 12, 10))
    return render(request, "org/certificate_list.html", {"form": form, "list": lp,
                                                         "can_edit": viewer.can_edit_registry})


@registry_view
def certificate_create(request: HttpRequest) -> HttpResponse:
    require_registry_editor(viewer_for(request.user))
    form = CertificateForm(request.POST or None, initial={"holder": request.GET.get("holder")})
    if request.method == "POST":
        cert = _submit(request, form, lambda d: services.certificate_issue(
            actor=request.user, holder=d["holder"], number=d["number"], domains=list(d["domains"]),
            issued_on=d["issued_on"], expires_on=d["expires_on"], issuer=d["issuer"]))
        if cert is not None:
            messages.success(request, _("Certificate issued."))
            return redirect("org:certificates")
    return _form_page(request, form, title=_("Issue an enforcement certificate"), back="org:certificates",
                      submit=_("Issue"))


@registry_view
def certificate_renew(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    cert = selectors.certificate_detail(viewer, pk)
    form = CertificateRenewForm(request.POST or None)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.certificate_renew(actor=request.user, certificate=cert, **d))
        if done is not None:
            messages.success(request, _("Certificate renewed."))
            return redirect("org:certificates")
    return _form_page(request, form, title=_("Renew certificate %(number)s") % {"number": cert.number},
                      back="org:certificates", submit=_("Renew"))


@registry_view
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_for(request.user)
    require_registry_editor(viewer)
    cert = selectors.certificate_detail(viewer, pk)
    form = CertificateRevokeForm(request.POST or None)
    if request.method == "POST":
        done = _submit(request, form, lambda d: services.certificate_revoke(actor=request.user, certificate=cert,
                                                                            reason=d["reason"]))
        if done is not None:
            messages.success(request, _("Certificate revoked."))
            return redirect("org:certificates")
    return _form_page(request, form, title=_("Revoke certificate %(number)s") % {"number": cert.number},
                      back="org:certificates", submit=_("Revoke"))

