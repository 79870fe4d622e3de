"""Whistle pages: thin. Parse input, call one service or selector, render.

Missing and forbidden both give 404; a state conflict (someone acted first) shows a message and
changes nothing; invalid input shows the messages beside the fields."""

import functools
import operator
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core import audit, timeline, worktime, xlsx
from tiaokuai.core.access import viewer_for
from tiaokuai.core.actions import form_errors, next_url, not_found_as_404, run_action
from tiaokuai.core.errors import Conflict, Invalid
from tiaokuai.core.listing import export_xlsx, form_filters, list_page, rank
from tiaokuai.core.personal import (
    contains_personal_data,
    reveal_purpose,
)
from tiaokuai.org.choices import COUNTY_WIDE_ROLES, Role
from tiaokuai.org.models import Division, Domain, Organisation

from . import reports, selectors, services
from .access import may_reveal_whistle, may_see_whistle
from .choices import DispatchStatus, Urgency, WhistleClass, WhistleStatus
from .forms import (
    ArriveForm,
    BoardFilterForm,
    DecideForm,
    DisputeForm,
    FiguresForm,
    InboxFilterForm,
    NoteForm,
    RaiseForm,
    RateForm,
    ReasonForm,
    ResolveForm,
    RouteForm,
    WhistleListFilterForm,
    apply_service_errors,
)
from .models import Attachment, Rating
from .workflows import DISPATCH

COUNTY = set(COUNTY_WIDE_ROLES)
BOARD_ROLES = COUNTY | {Role.DEPARTMENT, Role.TOWNSHIP}
STAFF_ROLES = set(Role.values) - {Role.CITIZEN}

PENDING_OR_DISPUTED = {DispatchStatus.DISPATCHED, DispatchStatus.RESPONDED, DispatchStatus.ARRIVED,
                       DispatchStatus.DISPUTED}



def _require(viewer, roles) -> None:
    if not viewer.has_role(*roles):
        raise Http404


def _responding_organisations():
    return Organisation.objects.filter(kind__in=["county_department", "stationed_agency"], is_active=True).order_by(
        "code")


# ---------------------------------------------------------------------------------------------
# Raise (phone-sized)


PREFILL = ("description", "village", "address", "latitude", "longitude", "urgency")


@login_required
@not_found_as_404
def raise_whistle(request):
    viewer = viewer_for(request.user)
    _require(viewer, {Role.TOWNSHIP})
    villages = Division.objects.filter(level="village", township_id__in=viewer.township_ids).order_by("code")
    items = (selectors.whistle_items_in_force(timezone.localdate()).select_related("domain")
             .order_by("domain__order", "domain__code", "code"))
    village_code = request.POST.get("village") if request.method == "POST" else None
    grids = (Division.objects.filter(level="grid", parent__code=village_code, township_id__in=viewer.township_ids)
             .order_by("code") if village_code else Division.objects.none())
    # Another mechanism may hand a case over (a citizen request the township whistles about): the form
    # opens filled with what it already knows, and the clerk checks it before raising.
    initial = {k: request.GET[k][:4000] for k in PREFILL if request.GET.get(k)} if request.method == "GET" else {}
    form = RaiseForm(request.POST or None, request.FILES or None, items=items, villages=villages, grids=grids,
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            whistle = services.whistle_raise(actor=request.user, **form.service_kwargs())
        except Invalid as exc:
            apply_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Whistle %(number)s raised.") % {"number": whistle.number})
            return redirect("whistles:detail", pk=whistle.pk)
    return render(request, "whistles/raise.html", {
        "form": form, "item_matters": {item.code: item.matter_code for item in items},
    })


@login_required
@require_GET
def grids(request):
    """htmx partial: the <option>s of the grid select for one village of the viewer's township."""
    viewer = viewer_for(request.user)
    code = request.GET.get("village", "")
    rows = Division.objects.none()
    if code and (viewer.township_ids or viewer.county_wide):
        rows = Division.objects.filter(level="grid", parent__code=code)
        if not viewer.county_wide:
            rows = rows.filter(township_id__in=viewer.township_ids)
        rows = rows.order_by("code")
    return render(request, "whistles/_grid_options.html", {"grids": rows})


# ---------------------------------------------------------------------------------------------
# Department inbox


# The inbox's sorts. The default is the queue's own order: the least time left first, no deadline (paused) last;
# on the dispatch's own columns (the deadline, the role) it pages by cursor, on the whistle's by page number.
INBOX_SORTS = {"due": F("due"), "number": ("whistle__number",), "item": ("whistle__item__code",),
               "place": ("whistle__township__code", "whistle__village__code"), "role": "role",
               "urgency": rank("whistle__urgency", Urgency.values), "status": rank("status", DispatchStatus.values)}


@login_required
def inbox(request):
    """The dispatches the viewer works (core.listing): search, filters, sortable columns (deadline first by
    default), cursor paging, ?format=xlsx exports what is filtered in the same order."""
    viewer = viewer_for(request.user)
    _require(viewer, {Role.DEPARTMENT, Role.TOWNSHIP})  # a township works the dispatches to its government
    form = InboxFilterForm(request.GET or None)
    filters = form_filters(form)
    # The queue's order is computed from each dispatch's step (no index gives it): the page's ids are found first,
    # sorting the viewer's open dispatches without the page's joins (core.paging.keyset).
    lp = list_page(request, selectors.dispatch_inbox(viewer, **filters), sorts=INBOX_SORTS, default="due",
                   filters=filters, keyset=True, ids_first=True, columns=[
                       (_("Time left"), "due"), (_("Whistle"), "number"), (_("Item"), "item"), (_("Place"), "place"),
                       (_("Role"), "role"), (_("Urgency"), "urgency"), (_("Status"), "status"), (_("Actions"), "")])
    now = timezone.now()
    if lp.export:
        return export_xlsx(request, "inbox", reports.INBOX_COLUMNS,
                           lambda unmasked: (reports.inbox_export_row(d, reports.current_deadline(d, now))
                                             for d in lp.rows_for_export()),
                           what="whistles.inbox", label=_("Dispatch inbox"), filters=filters,
                           widths=reports.INBOX_WIDTHS)
    rows = [{"d": d, "deadline": reports.current_deadline(d, now), "actions": DISPATCH.available(d.status, {"handler"})}
            for d in lp.page_obj]
    return render(request, "whistles/inbox.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "rows": rows, "next": request.get_full_path(),
        **_action_forms()})


def _action_forms() -> dict:
    return {"arrive_form": ArriveForm(), "resolve_form": ResolveForm(), "dispute_form": DisputeForm(),
            "note_form": NoteForm(), "reason_form": ReasonForm()}


# ---------------------------------------------------------------------------------------------
# Whistle page


@login_required
@not_found_as_404
def detail(request, pk: int):
    viewer = viewer_for(request.user)
    whistle = selectors.whistle_detail(viewer, pk)
    dispatches = list(whistle.dispatches.all())  # prefetched with organisation, notes, rating, disputes
    for d in dispatches:
        d.whistle = whistle
    allowed = selectors.allowed_actions(viewer, whistle)
    now = timezone.now()
    rows = [{"d": d, "deadlines": reports.deadlines(d, now), "current": reports.current_deadline(d, now),
             "actions": allowed.get(d.pk, [])} for d in dispatches]
    notes = sorted((n for d in dispatches for n in d.notes.all()), key=lambda n: (n.at, n.pk))
    for n in notes:
        n.dispatch = next(d for d in dispatches if d.pk == n.dispatch_id)
    photos = [a for a in whistle.attachments.all() if a.note_id is None]
    ratings = [d.rating for d in dispatches if _has_rating(d)]
    events = functools.reduce(operator.or_, [audit.timeline(whistle)] + [audit.timeline(d) for d in dispatches])
    whistle_actions = allowed.get("whistle", [])
    # Phone and ID numbers in the free text are masked; a party that works the whistle reveals them (audited).
    can_reveal = may_reveal_whistle(viewer, whistle, dispatches)
    asked, purpose = reveal_purpose(request.GET)
    revealed = purpose_missing = False
    if asked and can_reveal:
        try:
            services.whistle_reveal(actor=request.user, whistle_id=whistle.pk, purpose=purpose)
            revealed = True
        except Invalid:
            purpose_missing = True
    texts = [whistle.description, *(d.outcome_note for d in dispatches), *(n.text for n in notes),
             *(r.comment for r in ratings)]
    context = {
        "revealed": revealed, "purpose_missing": purpose_missing,
        "can_reveal": can_reveal and not revealed and any(contains_personal_data(t) for t in texts),
        "whistle": whistle, "rows": rows, "notes": notes, "photos": photos, "ratings": ratings,
        "events": timeline.render(events.order_by("at", "id")), "whistle_actions": whistle_actions,
        "waiting_count": sum(1 for d in dispatches if d.status in PENDING_OR_DISPUTED),
        "next": request.get_full_path(), **_action_forms(),
    }
    if "rate" in whistle_actions:
        rated = {r.dispatch_id for r in ratings}
        context["rate_forms"] = [(d, RateForm(prefix=f"r{d.pk}")) for d in dispatches
                                 if d.pk not in rated and d.status == DispatchStatus.RESOLVED]
    if "route" in whistle_actions:
        context["route_form"] = RouteForm(organisations=_responding_organisations())
    return render(request, "whistles/detail.html", context)


def _has_rating(dispatch) -> bool:
    try:
        return dispatch.rating is not None
    except Rating.DoesNotExist:
        return False


@login_required
def attachment(request, pk: int):
    """A photo, streamed by core.attachments.serve to those who may see its whistle (404 otherwise, the same as
    for a photo that does not exist)."""
    viewer = viewer_for(request.user)
    row = Attachment.objects.select_related("whistle").filter(pk=pk).first()
    return core_attachments.serve(request, row, lambda a: may_see_whistle(viewer, a.whistle))


# ---------------------------------------------------------------------------------------------
# Actions: small forms posting here; each calls one service.


def _run(request, fn, **kwargs) -> bool:
    return run_action(request, fn, **kwargs)[0]


DISPATCH_DONE = {
    "respond": gettext_lazy("Response recorded."),
    "arrive": gettext_lazy("Arrival on site recorded."),
    "resolve": gettext_lazy("Marked as resolved."),
    "dispute": gettext_lazy("Dispute sent to the establishment office."),
    "note": gettext_lazy("Note added."),
}


@login_required
@require_POST
@not_found_as_404
def dispatch_action(request, pk: int, action: str):
    fallback = reverse("whistles:inbox")
    if action == "respond":
        ok = _run(request, services.dispatch_respond, dispatch_id=pk)
    elif action == "arrive":
        form = ArriveForm(request.POST)
        ok = form.is_valid() and _run(request, services.dispatch_arrive, dispatch_id=pk,
                                      people=form.cleaned_data["people"])
    elif action == "resolve":
        form = ResolveForm(request.POST)
        ok = form.is_valid() and _run(request, services.dispatch_resolve, dispatch_id=pk,
                                      outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"])
    elif action == "dispute":
        form = DisputeForm(request.POST)
        ok = form.is_valid() and _run(request, services.dispatch_dispute, dispatch_id=pk,
                                      reason=form.cleaned_data["reason"])
    elif action == "note":
        form = NoteForm(request.POST, request.FILES)
        ok = form.is_valid() and _run(request, services.dispatch_add_note, dispatch_id=pk,
                                      text=form.cleaned_data["text"], attachments=form.cleaned_data["files"])
    else:
        raise Http404
    if action != "respond" and not form.is_valid():
        messages.error(request, form_errors(form))
    elif ok:
        messages.success(request, DISPATCH_DONE[action])
    return redirect(next_url(request, fallback))


WHISTLE_DONE = {
    "confirm": gettext_lazy("Confirmed: the whistle is done."),
    "return": gettext_lazy("Returned to the departments."),
    "rate": gettext_lazy("Thank you: ratings saved."),
    "close": gettext_lazy("Whistle closed."),
    "reopen": gettext_lazy("Whistle reopened."),
    "route": gettext_lazy("Whistle routed."),
    "attach": gettext_lazy("Photos added."),
}


@login_required
@require_POST
@not_found_as_404
def whistle_action(request, pk: int, action: str):
    fallback = reverse("whistles:detail", args=[pk])
    form = None
    if action == "confirm":
        ok = _run(request, services.whistle_confirm, whistle_id=pk)
    elif action == "close":
        ok = _run(request, services.whistle_close, whistle_id=pk)
    elif action in ("return", "reopen"):
        form = ReasonForm(request.POST)
        fn = services.whistle_return if action == "return" else services.whistle_reopen
        ok = form.is_valid() and _run(request, fn, whistle_id=pk, reason=form.cleaned_data["reason"])
    elif action == "route":
        form = RouteForm(request.POST, organisations=_responding_organisations())
        ok = form.is_valid() and _run(request, services.whistle_route_manually, whistle_id=pk,
                                      lead_code=form.cleaned_data["lead"],
                                      assist_codes=[c for c in form.cleaned_data["assists"]
                                                    if c != form.cleaned_data["lead"]])
    elif action == "attach":
        ok = _run(request, services.whistle_attach, whistle_id=pk, files=request.FILES.getlist("files"))
    elif action == "rate":
        ids = [int(x) for x in request.POST.getlist("dispatch") if x.isdigit()]
        ratings, bad = [], None
        for dispatch_id in ids:
            f = RateForm(request.POST, prefix=f"r{dispatch_id}")
            if not f.is_valid():
                bad = f
                break
            ratings.append({"dispatch_id": dispatch_id, **f.cleaned_data})
        if bad is not None:
            messages.error(request, form_errors(bad))
            return redirect(next_url(request, fallback))
        ok = bool(ratings) and _run(request, services.whistle_rate, whistle_id=pk, ratings=ratings)
    else:
        raise Http404
    if form is not None and not form.is_valid():
        messages.error(request, form_errors(form))
    elif ok:
        messages.success(request, WHISTLE_DONE[action])
    return redirect(next_url(request, fallback))


# ---------------------------------------------------------------------------------------------
# Lists


WHISTLE_SORTS = {"number": "number", "item": ("item__code",), "place": ("township__code", "village__code"),
                 "urgency": rank("urgency", Urgency.values), "status": rank("status", WhistleStatus.values),
                 "raised": "raised_at"}


@login_required
def whistle_list(request):
    """Whistles the viewer may see (core.listing): filters, a search, sortable columns, paging, the lead department
    and the deadline it works towards as text; ?format=xlsx exports what is filtered, in the same order."""
    viewer = viewer_for(request.user)
    _require(viewer, STAFF_ROLES)
    form = _list_filters(viewer, request.GET)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}
    # Keyset paging in the default order (newest first; page 5,000 costs what page 1 costs); the header's count
    # stops at core.listing.COUNT_CAP and is taken in the list's order, so SQLite walks the raised_at index and
    # stops at the cap instead of picking an index that groups the rows (by item) and walking far before it.
    lp = list_page(request, selectors.whistle_search(viewer, **filters), sorts=WHISTLE_SORTS, default="-raised",
                   personal_data=True, filters=filters, keyset=True,
                   count_queryset=selectors.whistle_search(viewer, counting=True, **filters), columns=[
                       (_("Number"), "number"), (_("Item"), "item"), (_("Place"), "place"),
                       (_("Lead department"), ""), (_("Deadline"), ""), (_("Urgency"), "urgency"),
                       (_("Status"), "status"), (_("Raised at"), "raised")])
    now = timezone.now()
    if lp.export:
        return export_xlsx(request, "whistles", reports.LIST_COLUMNS,
                           lambda unmasked: (reports.whistle_export_row(_list_row(w, now))
                                             for w in lp.rows_for_export()),
                           what="whistles.list", label=_("Whistles"), filters=filters, widths=reports.LIST_WIDTHS)
    return render(request, "whistles/list.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "rows": [_list_row(w, now) for w in lp.page_obj]})


def _list_row(whistle, now) -> dict:
    """One row of the list: the whistle, its lead and assisting bodies, and the lead's current deadline."""
    active = [d for d in whistle.dispatches.all() if d.status != DispatchStatus.WITHDRAWN]
    for d in active:
        d.whistle = whistle
    lead = next((d for d in active if d.role == "lead"), None)
    deadline = None
    if whistle.status == WhistleStatus.OPEN:  # the most pressing deadline of the bodies still working
        pending = [reports.current_deadline(d, now) for d in active if d.status in PENDING_OR_DISPUTED]
        dated = [dl for dl in pending if dl.get("pending") and dl.get("due")]
        deadline = min(dated, key=lambda dl: dl["due"]) if dated else (pending[0] if pending else None)
    return {"w": whistle, "lead": lead, "assists": [d for d in active if d.role != "lead"], "deadline": deadline}


def _list_filters(viewer, data):
    townships = Division.objects.filter(level="township").order_by("code")
    if not viewer.county_wide and viewer.township_ids and not viewer.has_role(Role.DEPARTMENT):
        townships = townships.filter(pk__in=viewer.township_ids)
    departments = Organisation.objects.filter(kind="county_department", is_active=True).order_by("code")
    return WhistleListFilterForm(data or None, townships=townships, departments=departments,
                                 domains=Domain.objects.order_by("order", "code"), statuses=WhistleStatus.choices)


def _board_filters(viewer, data):
    townships = Division.objects.filter(level="township").order_by("code")
    if not viewer.county_wide and viewer.has_role(Role.TOWNSHIP) and not viewer.has_role(Role.DEPARTMENT):
        townships = townships.filter(pk__in=viewer.township_ids)
    departments = Organisation.objects.filter(kind="county_department", is_active=True).order_by("code")
    return BoardFilterForm(data or None, townships=townships, departments=departments,
                           domains=Domain.objects.order_by("order", "code"),
                           statuses=[c for c in WhistleStatus.choices if c[0] != WhistleStatus.CLOSED])


BOARD_FILTERS = ("township", "department", "domain", "status", "overdue")  # what the count tabs are counted with


@login_required
def board(request):
    """The county board (core.listing): the count tabs of the work in hand (selectors.board_counts, with the
    filters but not the search), then the whistles filtered and searched, sortable, newest first by default,
    keyset-paged; ?format=xlsx exports what is filtered, in the same order, like the whistle list."""
    viewer = viewer_for(request.user)
    _require(viewer, BOARD_ROLES)
    form = _board_filters(viewer, request.GET)
    filters = form_filters(form)
    counts, overdue_count = selectors.board_counts(viewer, **{k: v for k, v in filters.items() if k in BOARD_FILTERS})
    # whistle_search is the board's selector plus the search and the urgency (the list page's own filters).
    lp = list_page(request, selectors.whistle_search(viewer, **filters), sorts=WHISTLE_SORTS, default="-raised",
                   personal_data=True, filters=filters, keyset=True,
                   count_queryset=selectors.whistle_search(viewer, counting=True, **filters), columns=[
                       (_("Number"), "number"), (_("Item"), "item"), (_("Place"), "place"),
                       (_("Departments"), ""), (_("Urgency"), "urgency"), (_("Status"), "status"),
                       (_("Raised at"), "raised")])
    now = timezone.now()
    if lp.export:
        return export_xlsx(request, "board", reports.LIST_COLUMNS,
                           lambda unmasked: (reports.whistle_export_row(_list_row(w, now))
                                             for w in lp.rows_for_export()),
                           what="whistles.board", label=_board_title(viewer), filters=filters,
                           widths=reports.LIST_WIDTHS)
    rows = []
    for w in lp.page_obj:
        lead = [d for d in w.dispatches.all() if d.status != DispatchStatus.WITHDRAWN]
        for d in lead:
            d.whistle = w
        overdue = any(reports.current_deadline(d, now).get("css") == "status-overdue" for d in lead)
        rows.append({"w": w, "dispatches": lead, "overdue": overdue})
    return render(request, "whistles/board.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "rows": rows, "overdue_count": overdue_count,
        "board_title": _board_title(viewer),
        "counts": [(WhistleStatus(s).label, n, s) for s, n in counts.items() if s in WhistleStatus.values],
        "status_filter": filters.get("status", ""), "overdue_filter": bool(filters.get("overdue")),
    })


def _board_title(viewer) -> str:
    """Whose work the board shows: the county's, a township's (its own and what calls its bodies) or a
    department's."""
    if viewer.county_wide:
        return _("County board")
    if Role.TOWNSHIP in viewer.roles:
        return _("Township board")
    return _("Department board")


@login_required
def disputes(request):
    viewer = viewer_for(request.user)
    _require(viewer, {Role.ESTABLISHMENT_OFFICE})
    orgs = list(_responding_organisations())
    rows = [(d, DecideForm(prefix=f"d{d.pk}", organisations=orgs)) for d in selectors.open_disputes(viewer)]
    return render(request, "whistles/disputes.html", {"rows": rows})


@login_required
@require_POST
@not_found_as_404
def dispute_decide(request, pk: int):
    viewer = viewer_for(request.user)
    _require(viewer, {Role.ESTABLISHMENT_OFFICE})
    form = DecideForm(request.POST, prefix=f"d{pk}", organisations=_responding_organisations())
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        data = form.cleaned_data
        if _run(request, services.dispute_decide, dispute_id=pk, decision=data["decision"],
                organisation_code=data["organisation"] or None, note=data["note"]):
            messages.success(request, _("Decision recorded."))
    return redirect(next_url(request, reverse("whistles:disputes")))


@login_required
def items(request):
    """The whistle list in force, by domain (folded; opened when searched), with a search over code, name, trigger
    and matter, and filters by domain and class."""
    viewer = viewer_for(request.user)
    _require(viewer, STAFF_ROLES)
    on = timezone.localdate()
    rows = selectors.whistle_items_in_force(on).select_related("domain", "release").order_by(
        "domain__order", "domain__code", "code")
    release = rows.first().release if rows.exists() else None
    domains = Domain.objects.filter(pk__in=rows.values("domain_id")).order_by("order", "code")
    q = (request.GET.get("q") or "").strip()[:100]
    domain = request.GET.get("domain") or ""
    klass = request.GET.get("class") or ""
    if q:
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(trigger__icontains=q)
                           | Q(matter_code__icontains=q))
    if domain:
        rows = rows.filter(domain__code=domain)
    if klass in WhistleClass.values:
        rows = rows.filter(whistle_class=klass)
    groups: OrderedDict = OrderedDict()
    for item in rows:
        item.deadline_rows = [
            (label, [worktime.duration_label(m, natural=u == Urgency.EMERGENCY) for m in item.minutes(u)])
            for u, label in Urgency.choices
        ]
        groups.setdefault(item.domain, []).append(item)
    filtered = bool(q or domain or klass)
    return render(request, "whistles/items.html", {
        "groups": groups, "release": release, "on": on, "q": q, "domain": domain, "klass": klass,
        "domains": domains, "classes": WhistleClass.choices, "filtered": filtered,
        "open_all": filtered or len(groups) == 1, "count": sum(len(v) for v in groups.values())})


# ---------------------------------------------------------------------------------------------
# Reports


@login_required
@not_found_as_404
def accountability(request, pk: int):
    viewer = viewer_for(request.user)
    report = reports.accountability(viewer, pk)
    if request.GET.get("format") == "xlsx":
        return xlsx.download(reports.accountability_xlsx(report), f'accountability-{report["whistle"].number}.xlsx')
    return render(request, "whistles/accountability.html", {"report": report, "whistle": report["whistle"]})


@login_required
def figures(request):
    viewer = viewer_for(request.user)
    _require(viewer, BOARD_ROLES)
    month = reports.parse_month(request.GET.get("month"))
    by = request.GET.get("by") if request.GET.get("by") in ("department", "township") else "department"
    rows = reports.monthly_figures(viewer, month, by)
    if request.GET.get("format") == "xlsx":
        return xlsx.download(reports.figures_xlsx(rows, month, by), f"whistle-figures-{month:%Y-%m}-{by}.xlsx")
    chart = {
        "names": [r["name"] for r in rows],
        "whistles": [r["whistles"] for r in rows],
        "response_rate": [r["response_rate"] for r in rows],
        "resolution_rate": [r["resolution_rate"] for r in rows],
        "labels": {"whistles": _("Whistles"), "response_rate": _("Responded in time %"),
                   "resolution_rate": _("Resolved in time %")},
    }
    form = FiguresForm(initial={"month": f"{month:%Y-%m}", "by": by})
    return render(request, "whistles/figures.html", {
        "rows": rows, "month": month, "by": by, "form": form, "chart": chart,
        "columns": reports.FIGURE_COLUMNS, "month_value": f"{month:%Y-%m}"})
