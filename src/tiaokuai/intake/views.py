"""Citizen request pages: thin. Parse input, call one service or selector, render.

Missing and forbidden both give 404; a state conflict shows a message and changes nothing; invalid input
shows the messages beside the fields. The public form and the tracking page need no sign-in and show no
one's personal data."""

import hmac
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core import audit, timeline, worktime, xlsx
from tiaokuai.core.access import viewer_for
from tiaokuai.core.actions import next_url, not_found_as_404, run_action
from tiaokuai.core.error_pages import error_response
from tiaokuai.core.errors import Invalid
from tiaokuai.core.listing import export_xlsx, form_filters, list_page, rank, xlsx_response
from tiaokuai.core.personal import mask_name, mask_phone, mask_text
from tiaokuai.duties.selectors import matters_in_force
from tiaokuai.org.choices import Role
from tiaokuai.org.models import Division, Organisation

from . import selectors, services
from .access import dispatch_parties, is_supervisor, may_see, request_parties, takes_calls
from .choices import STATUS_BADGE, Channel, DispatchStatus, Outcome, RequestStatus
from .clocks import DISPATCH_CLOCKS
from .forms import (
    CallbackFilterForm,
    CallbackForm,
    DecideForm,
    FieldForm,
    HotlineForm,
    InboxFilterForm,
    InterviewForm,
    LinkWhistleForm,
    MergeForm,
    NoteForm,
    OverdueFilterForm,
    PublicForm,
    ReasonForm,
    RequestFilterForm,
    ResolveForm,
    RouteForm,
    SupervisionItemFilterForm,
    TrackForm,
    apply_service_errors,
)
from .models import RequestAttachment
from .workflows import DISPATCH, REQUEST


def _require(viewer, roles) -> None:
    if not viewer.has_role(*roles):
        raise Http404


def _villages(township_ids=None):
    qs = Division.objects.filter(level="village").select_related("township").order_by("township__code", "code")
    return qs.filter(township_id__in=township_ids) if township_ids is not None else qs


def _matters():
    return matters_in_force(timezone.localdate()).select_related("domain").prefetch_related(None)


def _deadline(d, now):
    """(label, due, overdue) of a dispatch's pending step, or None."""
    pending = DISPATCH_CLOCKS.pending(DISPATCH_CLOCKS.row(d))
    if pending is None or pending[1] is None:
        return None
    step, due = pending
    from .clocks import overdue_unit

    natural = overdue_unit(d.request.kind).natural
    return {"step": step, "due": due, "overdue": due <= now,
            "label": worktime.remaining_label(now, due, natural=natural)}


# ---------------------------------------------------------------------------------------------
# Public: the form and the tracking page (no sign-in)


def submit(request):
    # The village list of the form through the submit path's short memory (services._cached): the public form is
    # a hot path, and villages change rarely.
    villages = services._cached(("form_villages",), lambda: list(_villages()))
    form = PublicForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            r = services.request_submit(actor=request.user if request.user.is_authenticated else None,
                                        channel=Channel.WEB, **form.service_kwargs())
        except Invalid as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(reverse("intake:track_code", args=[r.tracking_code]) + "?new=1")
    return render(request, "intake/submit.html", {"form": form})


def track(request):
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        r = selectors.tracked(form.cleaned_data["code"])
        if r is not None:
            return redirect("intake:track_code", code=r.tracking_code)
        form.add_error("code", _("No request has this tracking code."))
    return render(request, "intake/track.html", {"form": form})


def track_code(request, code: str):
    r = selectors.tracked(code)
    if r is None:
        raise Http404
    return render(request, "intake/track_code.html", {
        "r": r, "steps": selectors.public_steps(r), "new": request.GET.get("new") == "1"})


# ---------------------------------------------------------------------------------------------
# Staff: taking requests


@login_required
def hotline(request):
    viewer = viewer_for(request.user)
    if not takes_calls(viewer):
        raise Http404
    form = HotlineForm(request.POST or None, villages=_villages(), matters=_matters())
    if request.method == "POST" and form.is_valid():
        try:
            r = services.request_submit(actor=request.user, channel=Channel.HOTLINE, **form.service_kwargs())
        except Invalid as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Request %(number)s taken.") % {"number": r.number})
            return redirect("intake:detail", pk=r.pk)
    return render(request, "intake/hotline.html", {"form": form})


@login_required
def field(request):
    """A grid worker's report or a proxy agent's visit, from a phone."""
    viewer = viewer_for(request.user)
    _require(viewer, {Role.GRID_WORKER, Role.PROXY_AGENT})
    channel = Channel.GRID if Role.GRID_WORKER in viewer.roles else Channel.PROXY
    villages = _villages(viewer.township_ids if not viewer.is_superuser else None)
    form = FieldForm(request.POST or None, request.FILES or None, villages=villages, matters=_matters())
    if request.method == "POST" and form.is_valid():
        try:
            r = services.request_submit(actor=request.user, channel=channel, **form.service_kwargs())
        except Invalid as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Request %(number)s reported.") % {"number": r.number})
            return redirect("intake:detail", pk=r.pk)
    return render(request, "intake/field.html", {"form": form, "channel": Channel(channel).label})


# ---------------------------------------------------------------------------------------------
# Lists


REQUEST_SORTS = {"number": "number", "status": rank("status", RequestStatus.values), "channel": "channel",
                 "place": ("township__code", "village__code"), "submitted": "submitted_at"}


@login_required
def request_list(request):
    """Citizen requests the viewer may see (core.listing); the export masks phone and ID numbers in the text."""
    viewer = viewer_for(request.user)
    _require(viewer, set(Role.values) - {Role.CITIZEN})
    form = RequestFilterForm(request.GET or None)
    filters = form_filters(form)
    lp = list_page(request, selectors.request_list(viewer, **filters).select_related("township", "village"),
                   sorts=REQUEST_SORTS, default="-submitted", filters=filters, columns=[
                       (_("Number"), "number"), (_("Status"), "status"), (_("Channel"), "channel"),
                       (_("Place"), "place"), (_("Problem"), ""), (_("Submitted at"), "submitted")])
    if lp.export:
        return xlsx_response("requests", [h.label for h in lp.headers], (
            [r.number, r.get_status_display(), r.get_channel_display(), f"{r.township.name} · {r.village.name}",
             r.description, r.submitted_at] for r in lp.rows_for_export()), widths=(20, 10, 10, 24, 60, 18))
    return render(request, "intake/list.html", {"form": form, "list": lp, "badges": STATUS_BADGE})


# The work queues (core.listing): each keeps its selector's order as the default sort (the least time left first;
# the oldest closing first for callbacks; the newest finding first), pages by page number (the clocks' due is an
# expression), and exports what is filtered with the words masked unless the unmasked export is granted.
QUEUE_SORTS = {"due": DISPATCH_CLOCKS.order_by_due(), "number": ("request__number",),
               "place": ("request__township__code", "request__village__code"),
               "status": rank("status", DispatchStatus.values), "unit": ("organisation__code",)}
QUEUE_SEARCH = ("request__number", "request__description", "organisation__name")
QUEUE_COLUMNS = [_lazy("Number"), _lazy("Status"), _lazy("Step"), _lazy("Time left"), _lazy("Due at"),
                 _lazy("Unit"), _lazy("Township"), _lazy("Village / community"), _lazy("Problem")]


def _queue_export_row(d, dl, unmasked: bool) -> list:
    step = "" if dl is None else (_("Accept") if dl["step"] == "accept" else _("Answer"))
    return [d.request.number, d.get_status_display(), step, dl["label"] if dl else "", dl["due"] if dl else "",
            d.organisation.name, d.request.township.name, d.request.village.name,
            d.request.description if unmasked else mask_text(d.request.description)]


@login_required
def inbox(request):
    """The requests the viewer's unit works, least time left first (core.listing)."""
    viewer = viewer_for(request.user)
    _require(viewer, {Role.DEPARTMENT, Role.TOWNSHIP, Role.OFFICER})
    form = InboxFilterForm(request.GET or None)
    filters = form_filters(form)
    lp = list_page(request, selectors.dispatch_inbox(viewer), sorts=QUEUE_SORTS, default="due", filters=filters,
                   personal_data=True, search=QUEUE_SEARCH, lookups={"status": "status", "kind": "request__kind"},
                   columns=[(_("Time left"), "due"), (_("Number"), "number"), (_("Status"), "status"),
                            (_("Place"), "place"), (_("Problem"), ""), (_("Actions"), "")])
    now = timezone.now()
    if lp.export:
        return export_xlsx(request, "request-inbox", QUEUE_COLUMNS, lambda unmasked: (
            _queue_export_row(d, _deadline(d, now), unmasked) for d in lp.rows_for_export()),
            what="intake.inbox", label=_("Request inbox"), filters=filters, widths=(20, 10, 8, 16, 18, 24, 12, 12, 60))
    rows = [{"d": d, "deadline": _deadline(d, now), "actions": DISPATCH.available(d.status, {"handler"})}
            for d in lp.page_obj]
    return render(request, "intake/inbox.html", {"form": form, "list": lp, "page_obj": lp.page_obj, "rows": rows,
                                                 "next": request.get_full_path(), "resolve_form": ResolveForm(),
                                                 "reason_form": ReasonForm()})


@login_required
def supervision(request):
    """Overdue dispatches, the longest overdue first (core.listing), under the satisfaction figures."""
    viewer = viewer_for(request.user)
    _require(viewer, {Role.SUPERVISION, Role.LEADER, Role.ESTABLISHMENT_OFFICE})
    form = OverdueFilterForm(request.GET or None,
                             townships=Division.objects.filter(level="township").order_by("code"))
    filters = form_filters(form)
    lp = list_page(request, selectors.overdue(viewer), sorts=QUEUE_SORTS, default="due", filters=filters,
                   personal_data=True, search=QUEUE_SEARCH, lookups={"township": "request__township__code"},
                   columns=[(_("Overdue"), "due"), (_("Number"), "number"), (_("Unit"), "unit"),
                            (_("Place"), "place"), (_("Problem"), "")])
    now = timezone.now()
    if lp.export:
        return export_xlsx(request, "overdue", QUEUE_COLUMNS, lambda unmasked: (
            _queue_export_row(d, _deadline(d, now), unmasked) for d in lp.rows_for_export()),
            what="intake.overdue", label=_("Overdue requests (supervision)"), filters=filters,
            widths=(20, 10, 8, 16, 18, 24, 12, 12, 60))
    rows = [{"d": d, "deadline": _deadline(d, now)} for d in lp.page_obj]
    figures = selectors.satisfaction_figures(selectors.requests_for(viewer))
    return render(request, "intake/supervision.html", {"form": form, "list": lp, "page_obj": lp.page_obj,
                                                       "rows": rows, "figures": figures,
                                                       "disputes": selectors.open_disputes(viewer)[:50],
                                                       "perms_supervision": is_supervisor(viewer),
                                                       "decide_form": DecideForm()})


CALLBACK_SORTS = {"closed": "closed_at", "number": "number", "outcome": "outcome",
                  "place": ("township__code", "village__code")}
CALLBACK_COLUMNS = [_lazy("Number"), _lazy("Outcome"), _lazy("Closed at"), _lazy("Township"),
                    _lazy("Village / community"), _lazy("Problem")]


@login_required
def callbacks(request):
    """Closed requests to call back, the oldest closing first (core.listing)."""
    viewer = viewer_for(request.user)
    if not takes_calls(viewer):
        raise Http404
    form = CallbackFilterForm(request.GET or None)
    filters = form_filters(form)
    lp = list_page(request, selectors.callbacks_due(viewer), sorts=CALLBACK_SORTS, default="closed",
                   filters=filters, personal_data=True, search=("number", "description"),
                   lookups={"outcome": "outcome"}, columns=[
                       (_("Number"), "number"), (_("Outcome"), "outcome"), (_("Closed at"), "closed"),
                       (_("Place"), "place"), (_("Problem"), "")])
    if lp.export:
        return export_xlsx(request, "callbacks", CALLBACK_COLUMNS, lambda unmasked: (
            [r.number, r.get_outcome_display(), r.closed_at, r.township.name, r.village.name,
             r.description if unmasked else mask_text(r.description)] for r in lp.rows_for_export()),
            what="intake.callbacks", label=_("Callbacks to make"), filters=filters, widths=(20, 16, 18, 12, 12, 60))
    return render(request, "intake/callbacks.html", {"form": form, "list": lp, "page_obj": lp.page_obj,
                                                     "outcomes": Outcome})


# ---------------------------------------------------------------------------------------------
# The request page


@login_required
@not_found_as_404
def detail(request, pk: int):
    viewer = viewer_for(request.user)
    r = selectors.request_detail(viewer, pk)
    dispatches = selectors.dispatches_of(r)
    for d in dispatches:
        d.request = r
    parties = request_parties(viewer, r, dispatches)
    now = timezone.now()
    rows = [{"d": d, "deadline": _deadline(d, now),
             "actions": DISPATCH.available(d.status, dispatch_parties(viewer, d) & {"handler"})} for d in dispatches]
    actions = REQUEST.available(r.status, parties)
    if "close" in actions and r.outcome in {"unreasonable", "answered_on_spot"}:
        actions.remove("close")
    if "confirm_outcome" in actions and r.outcome not in {"unreasonable", "answered_on_spot"}:
        actions.remove("confirm_outcome")
    if "callback" in actions and r.callback_at and r.closed_at and r.callback_at >= r.closed_at:
        actions.remove("callback")
    events = audit.timeline(r).order_by("at", "id")
    context = {
        "r": r, "rows": rows, "actions": actions, "badges": STATUS_BADGE,
        "events": timeline.render(events), "photos": list(r.attachments.all()),
        "masked_name": mask_name(r.citizen_name), "masked_phone": mask_phone(r.citizen_phone),
        "duplicates": selectors.likely_duplicates(r) if "merge" in actions else [],
        "next": request.get_full_path(), "resolve_form": ResolveForm(), "reason_form": ReasonForm(),
        "callback_form": CallbackForm(), "merge_form": MergeForm(), "link_form": LinkWhistleForm(),
        "disputes": [dispute for d in dispatches for dispute in d.disputes.all() if dispute.status == "open"],
        "decide_form": DecideForm(), "is_office": "office" in parties,
        "surveys": list(r.sms_surveys.all()[:5]) if parties & {"operator", "hotline", "supervisor"} else [],
    }
    if "route" in actions:
        context["route_form"] = RouteForm(matters=_matters(), organisations=Organisation.objects.filter(
            is_active=True, kind__in=["county_department", "township"]).order_by("kind", "code"))
    if "link_whistle" in actions:
        context["whistle_url"] = (reverse("whistles:raise") + "?" + urlencode({
            # the whistle travels to every body it calls: no citizen's phone or ID number in it
            "description": mask_text(r.description), "village": r.village.code, "address": r.address,
            "latitude": r.latitude or "", "longitude": r.longitude or ""}) if "handler" in parties else "")
    return render(request, "intake/detail.html", context)


@login_required
@require_POST
@not_found_as_404
def request_action(request, pk: int, action: str):
    post = request.POST
    if action == "reveal":
        ok, contact = run_action(request, services.request_reveal_contact, request_id=pk,
                                 purpose=post.get("purpose", ""))
        if ok:
            messages.info(request, _("Citizen: %(name)s, %(phone)s") % {
                "name": contact["citizen_name"] or "—", "phone": contact["citizen_phone"] or "—"})
        return redirect(next_url(request, reverse("intake:detail", args=[pk])))
    if action not in REQUEST_ACTIONS:
        raise Http404
    fn, params, done = REQUEST_ACTIONS[action]
    run_action(request, fn, done=done, request_id=pk, **params(post))
    return redirect(next_url(request, reverse("intake:detail", args=[pk])))


# action → (service, its arguments from the posted form, what the page says when it is done)
REQUEST_ACTIONS = {
    "route": (services.request_route, lambda p: {"matter_code": p.get("matter", ""),
                                                 "organisation_code": p.get("organisation", "")},
              _lazy("Dispatched.")),
    "close": (services.request_close, lambda p: {}, _lazy("Closed.")),
    "confirm_outcome": (services.request_confirm_outcome, lambda p: {},
                        _lazy("Outcome confirmed; the request is closed.")),
    "return": (services.request_return, lambda p: {"reason": p.get("reason", "")},
               _lazy("The answer was returned.")),
    "callback": (services.request_callback, lambda p: {"satisfaction": p.get("satisfaction", ""),
                                                       "comment": p.get("comment", ""),
                                                       "not_solved": bool(p.get("not_solved"))},
                 _lazy("Callback recorded.")),
    "merge": (services.request_merge, lambda p: {"into_number": p.get("into", "")}, _lazy("Merged.")),
    "link_whistle": (services.request_link_whistle, lambda p: {"whistle_number": p.get("whistle_number", "")},
                     _lazy("Whistle linked.")),
}
DISPATCH_ACTIONS = {
    "accept": (services.dispatch_accept, lambda p: {}, _lazy("Accepted.")),
    "resolve": (services.dispatch_resolve, lambda p: {"outcome": p.get("outcome", ""), "note": p.get("note", "")},
                _lazy("Answered.")),
    "dispute": (services.dispatch_dispute, lambda p: {"reason": p.get("reason", "")},
                _lazy("The dispute was sent to the establishment office.")),
}


@login_required
@require_POST
@not_found_as_404
def dispatch_action(request, pk: int, action: str):
    if action not in DISPATCH_ACTIONS:
        raise Http404
    fn, params, done = DISPATCH_ACTIONS[action]
    run_action(request, fn, done=done, dispatch_id=pk, **params(request.POST))
    return redirect(next_url(request, reverse("intake:inbox")))


@login_required
@require_POST
@not_found_as_404
def dispute_decide(request, pk: int):
    post = request.POST
    run_action(request, services.dispute_decide, done=_("Decided."), dispute_id=pk,
               decision=post.get("decision", ""), organisation_code=post.get("organisation", ""),
               note=post.get("note", ""))
    return redirect(next_url(request, reverse("intake:supervision")))


@login_required
def attachment(request, pk: int):
    viewer = viewer_for(request.user)
    photo = RequestAttachment.objects.select_related("request").filter(pk=pk).first()
    return core_attachments.serve(request, photo, lambda a: may_see(viewer, a.request))


# ---------------------------------------------------------------------------------------------
# Supervision items (督查) and interviews (约谈)


SUPERVISION_ITEM_SORTS = {"opened": "opened_at", "number": ("request__number",), "unit": ("organisation__code",),
                         "reason": "reason", "status": "status"}
SUPERVISION_ITEM_COLUMNS = [_lazy("Number"), _lazy("Unit"), _lazy("Reason"), _lazy("Status"), _lazy("Opened at"),
                            _lazy("Closed at"), _lazy("Note")]


@login_required
def supervision_items(request):
    """Supervision findings (core.listing): open ones unless the filter asks for closed or all; newest first."""
    viewer = viewer_for(request.user)
    if not is_supervisor(viewer):
        raise Http404
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = "open"  # the findings to work on first
    form = SupervisionItemFilterForm(data)
    filters = form_filters(form)
    status = filters.get("status", "")
    lp = list_page(request, selectors.supervision_items(viewer, status=status), sorts=SUPERVISION_ITEM_SORTS,
                   default="-opened", filters={k: v for k, v in filters.items() if k != "status" or v != "open"},
                   search=("request__number", "organisation__name", "organisation__code"),
                   lookups={"reason": "reason"}, personal_data=True, columns=[
                       (_("Number"), "number"), (_("Unit"), "unit"), (_("Reason"), "reason"),
                       (_("Status"), "status"), (_("Opened at"), "opened"), (_("Note or action"), "")])
    if lp.export:
        return export_xlsx(request, "supervision-items", SUPERVISION_ITEM_COLUMNS, lambda unmasked: (
            [i.request.number, i.organisation.name, i.get_reason_display(), i.get_status_display(), i.opened_at,
             i.closed_at, i.note if unmasked else mask_text(i.note)] for i in lp.rows_for_export()),
            what="intake.supervision_items", label=_("Supervision items and interviews"), filters=filters,
            widths=(20, 24, 24, 8, 18, 18, 60))
    return render(request, "intake/supervision_items.html", {
        "form": form, "list": lp, "page_obj": lp.page_obj, "units": selectors.unit_summaries(viewer),
        "status": status, "note_form": NoteForm()})


@login_required
@not_found_as_404
def supervision_unit(request, pk: int):
    viewer = viewer_for(request.user)
    history = selectors.unit_history(viewer, pk)
    now = timezone.now()
    return render(request, "intake/supervision_unit.html", {
        **history, "now": now, "interview_form": InterviewForm(initial={"held_on": timezone.localdate()}),
        "next_level": services.next_interview_level(history["org"].pk, timezone.localdate()),
        "pending": services.findings_since_last_interview(history["org"].pk).count()})


@login_required
@require_POST
@not_found_as_404
def supervision_action(request, pk: int, action: str):
    post = request.POST
    fallback = reverse("intake:supervision_items")
    if action == "close":
        run_action(request, services.supervision_close, done=_("Closed."), item_id=pk, note=post.get("note", ""))
    elif action == "interview":
        org = Organisation.objects.filter(pk=pk).first()
        run_action(request, services.interview_record, done=_("Interview recorded."),
                   organisation_code=org.code if org else "", held_on=post.get("held_on", ""),
                   attendees=post.get("attendees", ""), minutes=post.get("minutes", ""),
                   rectification=post.get("rectification", ""))
        fallback = reverse("intake:supervision_unit", args=[pk])
    elif action == "rectified":
        ok, interview = run_action(request, services.interview_rectified, done=_("Rectification recorded as done."),
                                   interview_id=pk, note=post.get("note", ""))
        if ok:
            fallback = reverse("intake:supervision_unit", args=[interview.organisation_id])
    else:
        raise Http404
    return redirect(next_url(request, fallback))


@login_required
def figures(request):
    from . import reports

    viewer = viewer_for(request.user)
    _require(viewer, {Role.LEADER, Role.SUPERVISION, Role.ESTABLISHMENT_OFFICE})
    month = reports.parse_month(request.GET.get("month"), timezone.localdate())
    by = request.GET.get("by") if request.GET.get("by") in reports.GROUPS else "channel"
    rows = reports.monthly_figures(viewer, month, by)
    if request.GET.get("format") == "xlsx":
        return xlsx.download(reports.figures_xlsx(rows, month), f"request-figures-{month:%Y-%m}-{by}.xlsx")
    return render(request, "intake/figures.html", {"rows": rows, "columns": reports.COLUMNS, "month": month,
                                                   "by": by})


# ---------------------------------------------------------------------------------------------
# Citizens' text replies, forwarded by the county's SMS gateway


@csrf_exempt
@require_POST
def sms_reply(request):
    """POST {"phone", "text"} (JSON or form) with `Authorization: Bearer <SMS_INBOUND_TOKEN>`: the reply is
    recorded as the satisfaction callback it answers. 404 while no token is configured, 403 for a wrong one;
    the answer says "recorded", "unclear" or "no_survey"."""
    expected = str(settings.TIAOKUAI.get("SMS_INBOUND_TOKEN") or "")
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return error_response(request, 403, as_json=True)
    data = request.POST
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return error_response(request, 400, "invalid_body", _("The request body must be a JSON object."), as_json=True)
        data = {str(k): "" if v is None else str(v) for k, v in body.items()}
    if not data.get("phone"):
        return error_response(request, 400, "invalid", _("Please correct the errors below."),
                              {"phone": [_("This field is required.")]}, as_json=True)
    result = services.callback_sms_reply(phone=data.get("phone", ""), text=data.get("text", ""))
    return JsonResponse({"result": result})
