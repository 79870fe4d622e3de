from collections.abc import Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiaokuai.core import audit, timeline
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.listing import form_filters, list_page, rank, xlsx_response
from tiaokuai.core.memo import Keep
from tiaokuai.core.xlsx import download

from . import selectors, services
from .access import may_edit_lists, may_read_internal_lists
from .choices import ListKind, ReleaseStatus
from .forms import (
    AssignmentFormSet,
    ImportForm,
    MatterForm,
    MatterSearchForm,
    PublishForm,
    ReleaseFilterForm,
    StepFormSet,
)
from .models import ListRelease, Matter
from .xlsx import export_release

KIND_PARAM = "kind"


def staff_view(view):
    """Signed-in staff; a citizen is sent to the public list (access.may_read_internal_lists)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_read_internal_lists(viewer_for(request.user)):
            return redirect("duties:public")
        return view(request, *args, **kwargs)

    return wrapper


def _kind(request) -> str:
    kind = request.GET.get(KIND_PARAM) or ListKind.RESPONSIBILITY
    return kind if kind in ListKind.values else ListKind.RESPONSIBILITY


def _release_or_404(request, release_id) -> ListRelease:
    release = selectors.release_for(viewer_for(request.user), release_id)
    if release is None:
        raise Http404
    return release


def _matter_or_404(request, matter_id) -> Matter:
    matter = selectors.matter_for(viewer_for(request.user), matter_id)
    if matter is None:
        raise Http404
    return matter


# ---------------------------------------------------------------- public, no login

def public_list(request):
    """The list in force, for everyone: searchable, by domain, each matter expandable; phone-friendly."""
    release = selectors.release_in_force(ListKind.RESPONSIBILITY, timezone.localdate())
    domains = list(selectors.domains_of(release))
    form = MatterSearchForm(request.GET or None, domains=domains, with_date=False)
    q = domain = ""
    if form.is_valid():
        q, domain = form.cleaned_data["q"], form.cleaned_data["domain"]
    page = selectors.matters_page(release, q=q, domain=domain) if release else None
    return render(request, "duties/public_list.html", {
        "release": release, "matters": page.ids if page else [], "matters_html": _public_matters_html(page),
        "domains": domains, "form": form, "q": q, "domain": domain,
    })


# The rendered matters of the public list, by everything they show (MattersPage.key: the published release,
# the matters found, the registry's names) and the language: the same search renders once per process.
_PUBLIC_MATTERS = Keep(max_entries=32)


def _public_matters_html(page: selectors.MattersPage | None) -> str:
    if page is None:
        return ""

    def render_matters() -> str:
        return mark_safe(render_to_string("duties/_public_matters.html", {"groups": page.groups()}))  # noqa: S308

    if page.release.status != ReleaseStatus.PUBLISHED:
        return render_matters()
    return _PUBLIC_MATTERS.get((page.key(), translation.get_language()), render_matters)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- signed-in pages

MATTER_SORTS = {"code": "code", "name": "name", "domain": ("domain__order", "domain__code", "code"), "kind": "kind"}


def _matter_list(request, matters, *, filters: Mapping[str, Any], name: str, with_kind: bool = True,
                 with_actions: bool = False):
    """A list of matters (core.listing): sortable by code, name, domain and kind; ?format=xlsx the filtered rows."""
    columns = [(_("Code"), "code"), (_("Matter"), "name"), (_("Domain"), "domain")]
    columns += [(_("Kind"), "kind")] if with_kind else []
    columns += [(_("Primary body"), ""), (_("Coordinating bodies"), "")]
    columns += [(_("Actions"), "")] if with_actions else []
    lp = list_page(request, matters, sorts=MATTER_SORTS, default="domain", filters=filters, columns=columns)
    if lp.export:
        return lp, xlsx_response(name, [_("Code"), _("Matter"), _("Domain"), _("Kind"), _("Primary body"),
                                        _("Coordinating bodies")], (
            [m.code, m.name, m.domain.name, m.get_kind_display(),
             "、".join(a.body_name for a in m.assignments.all() if a.role == "primary"),
             "、".join(a.body_name for a in m.assignments.all() if a.role == "coordinating")]
            for m in lp.rows_for_export()), widths=(14, 40, 14, 10, 30, 40))
    return lp, None


@staff_view
def in_force(request):
    viewer = viewer_for(request.user)
    form = MatterSearchForm(request.GET or None)
    on = timezone.localdate()
    q = domain = ""
    if form.is_valid():
        q, domain = form.cleaned_data["q"], form.cleaned_data["domain"]
        on = form.cleaned_data["on"] or on
    release = selectors.release_in_force(ListKind.RESPONSIBILITY, on)
    lp, export = _matter_list(request, selectors.matters_in_force(on, q=q, domain=domain),
                              filters={"q": q, "domain": domain}, name="matters-in-force")
    if export:
        return export
    return render(request, "duties/in_force.html", {
        "form": form, "release": release, "on": on, "list": lp, "can_edit": may_edit_lists(viewer),
    })


@staff_view
def matter_detail(request, matter_id):
    viewer = viewer_for(request.user)
    matter = _matter_or_404(request, matter_id)
    return render(request, "duties/matter_detail.html", {
        "matter": matter, "release": matter.release, "versions": selectors.matter_versions(viewer, matter),
        "events": timeline.render(audit.timeline(matter)),
        "can_edit": may_edit_lists(viewer) and matter.release.status == ReleaseStatus.DRAFT,
    })


RELEASE_SORTS = {"number": "number", "title": "title", "status": rank("status", ReleaseStatus.values),
                 "effective": F("effective_from"), "matters": "matter_count"}


@staff_view
def release_list(request):
    """The versions of a list (core.listing): search by number or title, filter by status, sortable, newest first;
    ?format=xlsx exports the versions listed (each version's own matters: its "Download xlsx")."""
    viewer = viewer_for(request.user)
    kind = _kind(request)
    form = ReleaseFilterForm(request.GET or None)
    filters = {k: v for k, v in form_filters(form).items() if k != "kind"}
    q = str(filters.get("q", "")).strip().lstrip("vV")
    search = ("title",) + (("number",) if q.isdigit() else ())
    lp = list_page(request, selectors.releases_with_counts(viewer, kind), sorts=RELEASE_SORTS, default="-number",
                   filters={**filters, "q": q} if "q" in filters else filters, search=search,
                   lookups={"status": "status"}, columns=[
                       (_("Version"), "number"), (_("Title"), "title"), (_("Status"), "status"),
                       (_("Effective from"), "effective"), (_("Matters"), "matters"), (_("Files"), "")])
    states = selectors.in_force_release_ids(kind)
    if lp.export:
        return xlsx_response(f"list-versions-{kind}", [_("Version"), _("Title"), _("Status"), _("Effective from"),
                                                       _("Matters"), _("Published at")], (
            [f"v{r.number}", r.title, _release_state_label(r, states), r.effective_from or "", r.matter_count,
             r.published_at] for r in lp.rows_for_export()), widths=(8, 50, 10, 14, 8, 18))
    releases = list(lp.page_obj)
    for r in releases:
        r.state = states.get(r.pk, "draft")
    draft = selectors.releases_with_counts(viewer, kind).filter(status=ReleaseStatus.DRAFT).first()
    return render(request, "duties/release_list.html", {
        "form": form, "list": lp, "rows": releases, "kind": kind, "kind_label": ListKind(kind).label,
        "draft": draft, "can_edit": may_edit_lists(viewer), "publish_form": PublishForm(), "import_form": ImportForm(),
        "events": audit.timeline(draft) if draft else [], "latest_published": selectors.latest_published(kind),
    })


def _release_state_label(release: ListRelease, states: Mapping[int, str]) -> str:
    if release.status == ReleaseStatus.DRAFT:
        return _("Draft")
    return {"in_force": _("In force"), "scheduled": _("Scheduled")}.get(states.get(release.pk, ""), _("Superseded"))


@staff_view
def release_detail(request, release_id):
    viewer = viewer_for(request.user)
    release = _release_or_404(request, release_id)
    domains = list(selectors.domains_of(release))
    form = MatterSearchForm(request.GET or None, domains=domains, with_date=False)
    q = domain = ""
    if form.is_valid():
        q, domain = form.cleaned_data["q"], form.cleaned_data["domain"]
    can_edit = may_edit_lists(viewer) and release.status == ReleaseStatus.DRAFT
    problems = services.publish_problems(release, timezone.localdate()) if can_edit else {}
    problems.pop("effective_from", None)
    previous = (ListRelease.objects.filter(kind=release.kind, number__lt=release.number,
                                           status=ReleaseStatus.PUBLISHED).order_by("-number").first())
    lp, export = _matter_list(request, selectors.release_matters(release, q=q, domain=domain).prefetch_related(
        "assignments"), filters={"q": q, "domain": domain}, name=f"matters-v{release.number}", with_kind=False,
                              with_actions=can_edit)
    if export:
        return export
    return render(request, "duties/release_detail.html", {
        "release": release, "form": form, "list": lp, "can_edit": can_edit, "problems": problems, "previous": previous,
        "publish_form": PublishForm(), "import_form": ImportForm(), "events": timeline.render(audit.timeline(release)),
        "latest_published": selectors.latest_published(release.kind) if can_edit else None,
    })


@staff_view
def release_export(request, release_id):
    release = _release_or_404(request, release_id)
    return download(export_release(release), f"list-{release.kind}-v{release.number}.xlsx")


@staff_view
def diff(request):
    viewer = viewer_for(request.user)
    kind = _kind(request)
    releases = list(selectors.releases_with_counts(viewer, kind))
    by_id = {str(r.pk): r for r in releases}
    new = by_id.get(request.GET.get("to", "")) or (releases[0] if releases else None)
    old = by_id.get(request.GET.get("from", ""))
    if old is None and new is not None:
        old = next((r for r in releases if r.number < new.number), None)
    result = selectors.release_diff(old, new) if old and new else None
    return render(request, "duties/diff.html", {
        "releases": releases, "old": old, "new": new, "diff": result, "kind": kind,
    })


# ---------------------------------------------------------------- writes (establishment office)

def _office_only(request) -> None:
    if not may_edit_lists(viewer_for(request.user)):
        raise Http404


def _errors_text(details: Mapping[str, Any]) -> list[str]:
    return [msg for key, msgs in details.items() if key != "rows" for msg in msgs]


@login_required
@require_POST
def release_start(request):
    _office_only(request)
    try:
        release = services.release_start_draft(actor=request.user, kind=_kind(request))
    except (Conflict, Invalid) as exc:
        messages.error(request, exc.message)
        return redirect("duties:releases")
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Draft version %(number)s started from the latest published version.")
                     % {"number": release.number})
    return redirect("duties:release", release_id=release.pk)


@login_required
def release_publish(request, release_id):
    _office_only(request)
    release = _release_or_404(request, release_id)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_publish(actor=request.user, release_id=release.pk,
                                     effective_from=form.cleaned_data["effective_from"],
                                     notes=form.cleaned_data["notes"] or None)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("duties:release", release_id=release.pk)
        except Invalid as exc:
            for msg in exc.details.pop("effective_from", []):
                form.add_error("effective_from", msg)
                _mark_invalid(form, "effective_from")
            for msg in _errors_text(exc.details):
                form.add_error(None, msg)
        else:
            messages.success(request, _("Version %(number)s is published.") % {"number": release.number})
            if release.based_on_id:
                return redirect(f"{_url('duties:diff')}?from={release.based_on_id}&to={release.pk}")
            return redirect("duties:release", release_id=release.pk)
    return render(request, "duties/release_publish.html", {"release": release, "form": form})


@login_required
def release_import(request, release_id):
    _office_only(request)
    release = _release_or_404(request, release_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.release_import_xlsx(actor=request.user, release_id=release.pk,
                                         content=form.cleaned_data["file"].read())
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("duties:release", release_id=release.pk)
        except Invalid as exc:
            row_errors = exc.details.get("rows", [])
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The workbook was imported into the draft."))
            return redirect("duties:release", release_id=release.pk)
    return render(request, "duties/release_import.html", {
        "release": release, "form": form, "row_errors": row_errors})


@login_required
@require_POST
def release_discard(request, release_id):
    _office_only(request)
    try:
        services.release_discard(actor=request.user, release_id=release_id)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("duties:release", release_id=release_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The draft was discarded."))
    return redirect("duties:releases")


def _apply(form, details: Mapping[str, Any], formsets: Mapping[str, Any]) -> None:
    for key, msgs in details.items():
        head, _sep, rest = key.partition(".")
        if head in formsets and rest:
            index, _sep, field = rest.partition(".")
            forms = _live_forms(formsets[head])
            target = forms[int(index)] if index.isdigit() and int(index) < len(forms) else None
            for msg in msgs:
                if target is not None and field in target.fields:
                    target.add_error(field, msg)
                    _mark_invalid(target, field)
                else:
                    form.add_error(None, msg)
        else:
            for msg in msgs:
                form.add_error(key if key in form.fields else None, msg)
            if key in form.fields:
                _mark_invalid(form, key)


def _mark_invalid(form, name: str) -> None:
    """Errors added after validation: mark the field the way StyledFormMixin does."""
    attrs = form.fields[name].widget.attrs
    if "is-invalid" not in attrs.get("class", ""):
        attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
    attrs["aria-describedby"] = f"{form[name].auto_id}-error"


def _deleted(f) -> bool:
    return bool(getattr(f, "cleaned_data", {}).get("DELETE"))


def _live_forms(formset) -> list[Any]:
    """Forms that stand for a row: existing rows not marked for deletion, and filled-in extra rows."""
    initial = formset.initial_form_count()
    return [f for i, f in enumerate(formset.forms)
            if not _deleted(f) and (i < initial or f.has_changed()) and getattr(f, "cleaned_data", None)]


def _rows(formset) -> list[dict[str, Any]]:
    out = []
    for f in _live_forms(formset):
        data = dict(f.cleaned_data)
        data.pop("DELETE", None)
        out.append(data)
    return out


def _initial(matter: Matter | None) -> tuple[dict, list, list]:
    if matter is None:
        return {}, [], []
    dump = selectors.matter_dump(matter)
    return (
        {k: dump[k] for k in ("code", "name", "domain", "kind", "legal_basis", "keywords", "description")},
        [{"organisation": a["organisation"], "role": a["role"], "duty": a["duty"]} for a in dump["assignments"]],
        [{"order": s["order"], "organisation": s["organisation"], "action": s["action"],
          "time_limit_days": s["time_limit_days"]} for s in dump["steps"]],
    )


def _edit(request, release: ListRelease, matter: Matter | None):
    from django.db import transaction

    if release.status != ReleaseStatus.DRAFT:
        messages.error(request, _("This version is already published and cannot be changed."))
        return redirect("duties:release", release_id=release.pk)
    initial, assignments, steps = _initial(matter)
    data = request.POST if request.method == "POST" else None
    form = MatterForm(data, initial=initial)
    a_set = AssignmentFormSet(data, initial=assignments, prefix="a")
    s_set = StepFormSet(data, initial=steps, prefix="s")
    if data is not None and form.is_valid() and a_set.is_valid() and s_set.is_valid():
        values = dict(form.cleaned_data)
        values["domain"] = values["domain"].code
        try:
            with transaction.atomic():
                if matter is None:
                    saved = services.matter_create(actor=request.user, release_id=release.pk, data=values)
                else:
                    saved = services.matter_update(actor=request.user, matter_id=matter.pk, data=values)
                services.matter_set_assignments(actor=request.user, matter_id=saved.pk, assignments=_rows(a_set))
                services.matter_set_steps(actor=request.user, matter_id=saved.pk, steps=_rows(s_set))
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("duties:release", release_id=release.pk)
        except Invalid as exc:
            _apply(form, exc.details, {"assignments": a_set, "steps": s_set})
        else:
            messages.success(request, _("Matter %(code)s saved.") % {"code": saved.code})
            return redirect("duties:release", release_id=release.pk)
    return render(request, "duties/matter_form.html", {
        "release": release, "matter": matter, "form": form, "assignment_formset": a_set, "step_formset": s_set,
    })


@login_required
def matter_create(request, release_id):
    _office_only(request)
    return _edit(request, _release_or_404(request, release_id), None)


@login_required
def matter_edit(request, matter_id):
    _office_only(request)
    matter = _matter_or_404(request, matter_id)
    return _edit(request, matter.release, matter)


@login_required
@require_POST
def matter_delete(request, matter_id):
    _office_only(request)
    matter = _matter_or_404(request, matter_id)
    try:
        services.matter_delete(actor=request.user, matter_id=matter.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Matter %(code)s removed from the draft.") % {"code": matter.code})
    return redirect("duties:release", release_id=matter.release_id)


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)
