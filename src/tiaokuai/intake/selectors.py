"""Reads of citizen requests, scoped to the viewer (access.py); personal data masked here."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer, viewer_for
from tiaokuai.core.errors import NotFound

from .access import handled_q, is_operator, is_supervisor, scope_requests, takes_calls
from .choices import (
    EXCLUDED_FROM_SATISFACTION,
    PENDING_DISPATCH,
    DispatchStatus,
    RequestStatus,
    Satisfaction,
)
from .clocks import DISPATCH_CLOCKS
from .models import Request, RequestDispatch, RequestDispute


def requests_for(viewer: Viewer) -> QuerySet[Request]:
    return scope_requests(viewer, Request.objects.select_related("township", "village"))


def request_list(viewer: Viewer, *, status: str = "", channel: str = "", q: str = "") -> QuerySet[Request]:
    qs = requests_for(viewer)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-submitted_at", "-id")


def request_detail(viewer: Viewer, pk: Any) -> Request:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Request not found.")) from None
    request = requests_for(viewer).filter(pk=pk).select_related("merged_into", "submitted_by").first()
    if request is None:
        raise NotFound(_("Request not found."))
    return request


def dispatches_of(request: Request) -> list[RequestDispatch]:
    return list(request.dispatches.select_related("organisation").prefetch_related("disputes").order_by("id"))


def dispatch_inbox(viewer: Viewer) -> QuerySet[RequestDispatch]:
    """The open dispatches the viewer's body works, the most urgent first (the clocks' SQL)."""
    if not viewer.is_authenticated:
        return RequestDispatch.objects.none()
    return (RequestDispatch.objects.filter(handled_q(viewer))
            .filter(status__in=[*PENDING_DISPATCH, DispatchStatus.DISPUTED])
            .select_related("request", "request__township", "request__village", "organisation")
            .order_by(DISPATCH_CLOCKS.order_by_due(), "id"))


def overdue(viewer: Viewer, now: dt.datetime | None = None) -> QuerySet[RequestDispatch]:
    """Dispatches whose pending step is past due (the supervision list), the longest overdue first."""
    now = now or timezone.now()
    qs = (RequestDispatch.objects.filter(DISPATCH_CLOCKS.overdue_q(now))
          .select_related("request", "request__township", "request__village", "organisation")
          .order_by(DISPATCH_CLOCKS.order_by_due(), "id"))
    if viewer.county_wide:
        return qs
    return qs.filter(request__in=requests_for(viewer))


def callbacks_due(viewer: Viewer) -> QuerySet[Request]:
    """Closed requests not yet called back (the queue of the command centre and the hotline operators), oldest
    closing first."""
    if not takes_calls(viewer):
        return Request.objects.none()
    from .choices import SurveyStatus
    from .models import CallbackSurvey

    # A text-message callback still waiting for the citizen's reply keeps the request out of the queue until its
    # reply-by time (then it is back, for a phone call, whether or not the expiry sweep ran).
    waiting = CallbackSurvey.objects.filter(request=OuterRef("pk"), status=SurveyStatus.WAITING,
                                            reply_by__gte=timezone.now())
    return (Request.objects.filter(status=RequestStatus.CLOSED)
            .filter(Q(callback_at__isnull=True) | Q(callback_at__lt=F("closed_at")))
            .exclude(Exists(waiting))
            .select_related("township", "village").order_by("closed_at", "id"))


def open_disputes(viewer: Viewer) -> QuerySet[RequestDispute]:
    from .access import is_office

    if not is_office(viewer):
        return RequestDispute.objects.none()
    return (RequestDispute.objects.filter(status="open")
            .select_related("dispatch__request", "dispatch__organisation").order_by("raised_at"))


# ---------------------------------------------------------------- duplicates


def _grams(text: str) -> set[str]:
    t = "".join(ch for ch in (text or "") if not ch.isspace())
    return {t[i:i + 2] for i in range(max(0, len(t) - 1))}


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def _open_literal() -> Any:
    """`status IN ('dispatched', 'received', 'resolved')` with the values written into the SQL, as the partial
    indexes over open requests say it. SQLite uses a partial index only when the query's WHERE contains the
    index's condition literally: a bound parameter is not proved to match, and the planner then walks the whole
    recent window through the submitted_at index (the look-up grew with the table: 40–60 ms at 1,000,000)."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from .models import OPEN_STATUSES

    values = ", ".join("'" + v + "'" for v in OPEN_STATUSES)  # constants of choices.py, never user input
    return RawSQL(f'"intake_request"."status" IN ({values})', [], output_field=BooleanField())  # noqa: S611


def likely_duplicates(request: Request, *, days: int = 14, threshold: float = 0.3, limit: int = 5,
                      candidates: int = 100) -> list[tuple[Request, float]]:
    """Open requests that may repeat this one: same village (or same matter in the township), in the last
    `days` days, with similar text (character-bigram Jaccard ≥ threshold). Index-served: two range scans of the
    partial indexes over open requests (Request.Meta), the newest `candidates` of each, so the cost does not grow
    with the table; the text is compared only on that small set."""
    since = request.submitted_at - dt.timedelta(days=days)
    fields = ("pk", "number", "description")
    base = Request.objects.filter(_open_literal(), submitted_at__gte=since).exclude(pk=request.pk)
    rows = dict.fromkeys(base.filter(village_id=request.village_id).order_by("-submitted_at")
                         .values_list(*fields)[:candidates])
    if request.matter_code:
        rows.update(dict.fromkeys(base.filter(township_id=request.township_id, matter_code=request.matter_code)
                                  .order_by("-submitted_at").values_list(*fields)[:candidates]))
    mine = _grams(request.description)
    scored = []
    for pk, number, description in rows:
        theirs = _grams(description)
        score = len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0
        if score >= threshold:
            scored.append((Request(pk=pk, number=number, description=description), score))
    scored.sort(key=lambda p: -p[1])
    return scored[:limit]


# ---------------------------------------------------------------- public tracking (no personal data)


def tracked(code: str) -> Request | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return Request.objects.select_related("township", "village", "merged_into").filter(tracking_code=code).first()


PUBLIC_ACTIONS = {
    "intake.submit": "received", "intake.route": "dispatched", "intake.dispatch": "dispatched",
    "intake.accept": "accepted", "intake.resolve": "answered", "intake.close": "closed",
    "intake.confirm_outcome": "closed", "intake.reopen": "reopened", "intake.return": "returned",
    "intake.merge": "merged",
}


def public_label(action: str) -> str:
    """What an audit action means to the citizen (PUBLIC_ACTIONS), in the active language."""
    labels = {
        "received": _("Received"), "dispatched": _("Sent to the responsible body"),
        "accepted": _("Accepted by the responsible body"), "answered": _("Answered"), "closed": _("Closed and done"),
        "reopened": _("Reopened after your callback"), "returned": _("Answer returned to be improved"),
        "merged": _("Merged with a request about the same problem"),
    }
    return str(labels[PUBLIC_ACTIONS[action]])


def public_steps(request: Request) -> list[dict[str, Any]]:
    """The request's progress as the citizen sees it: times and what happened, never who or any note."""
    from tiaokuai.core.models import AuditEvent

    events = AuditEvent.objects.filter(object_type="intake.request", object_id=str(request.pk),
                                       action__in=list(PUBLIC_ACTIONS)).order_by("at", "id")
    return [{"at": timezone.localtime(e.at), "label": public_label(e.action)} for e in events]


# ---------------------------------------------------------------- figures and home


def satisfaction_figures(qs: QuerySet[Request]) -> dict[str, Any]:
    """Callbacks and satisfaction, with and without the excluded outcomes (unreasonable, answered on the spot)."""
    called = qs.exclude(satisfaction="")
    rows = dict(called.values_list("satisfaction").annotate(n=Count("id")).values_list("satisfaction", "n"))
    counted = called.exclude(outcome__in=list(EXCLUDED_FROM_SATISFACTION))
    counted_rows = dict(counted.values_list("satisfaction").annotate(n=Count("id")).values_list("satisfaction", "n"))

    def rate(r: dict[str, int]) -> float | None:
        total = sum(r.values())
        good = r.get(Satisfaction.SATISFIED, 0) + r.get(Satisfaction.BASIC, 0)
        return round(100 * good / total, 1) if total else None

    return {"callbacks": sum(rows.values()), "rate_all": rate(rows), "counted": sum(counted_rows.values()),
            "rate": rate(counted_rows), "excluded": sum(rows.values()) - sum(counted_rows.values()),
            "false_completions": qs.filter(false_completion=True).count()}


def home_cards(viewer: Viewer) -> list[dict[str, Any]]:
    if not viewer.is_authenticated:
        return []
    cards = []
    inbox = dispatch_inbox(viewer).count() if viewer.roles & {"department", "township"} else 0
    if inbox:
        cards.append({"label": _("Citizen requests to handle"), "value": inbox, "url_name": "intake:inbox"})
    if is_operator(viewer) or is_supervisor(viewer):
        cards.append({"label": _("Overdue citizen requests"), "value": overdue(viewer).count(),
                      "url_name": "intake:supervision"})
    return cards


def viewer_of(user: Any) -> Viewer:
    return viewer_for(user)


# ---------------------------------------------------------------- supervision items and interviews


def supervision_items(viewer: Viewer, *, status: str = "open") -> QuerySet[Any]:
    from .models import SupervisionItem

    if not is_supervisor(viewer):
        return SupervisionItem.objects.none()
    qs = SupervisionItem.objects.select_related("organisation", "request").order_by("-opened_at", "-id")
    return qs.filter(status=status) if status else qs


def unit_summaries(viewer: Viewer, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per unit with findings in the last year: findings, open ones, those since its last interview, interviews
    and the level the next one would be."""
    from .models import Interview, SupervisionItem
    from .services import next_interview_level

    if not is_supervisor(viewer):
        return []
    now = now or timezone.now()
    since = now - dt.timedelta(days=365)
    rows = (SupervisionItem.objects.filter(opened_at__gte=since).values("organisation_id", "organisation__name",
                                                                         "organisation__code")
            .annotate(findings=Count("id"), open=Count("id", filter=Q(status="open")),
                      pending=Count("id", filter=Q(interviews__isnull=True)))
            .order_by("-pending", "-findings", "organisation__code"))
    interviews = dict(Interview.objects.filter(held_on__gt=since.date()).values("organisation_id")
                      .annotate(n=Count("id")).values_list("organisation_id", "n"))
    today = timezone.localdate(now)
    return [{**r, "interviews": interviews.get(r["organisation_id"], 0),
             "next_level": next_interview_level(r["organisation_id"], today)} for r in rows]


def unit_history(viewer: Viewer, organisation_id: Any) -> dict[str, Any]:
    from tiaokuai.org.models import Organisation

    from .models import Interview, SupervisionItem

    org = Organisation.objects.filter(pk=organisation_id).first() if str(organisation_id).isdigit() else None
    if org is None or not is_supervisor(viewer):
        raise NotFound(_("Not found."))
    return {
        "org": org,
        "items": list(SupervisionItem.objects.filter(organisation=org).select_related("request")
                      .order_by("-opened_at", "-id")[:200]),
        "interviews": list(Interview.objects.filter(organisation=org).prefetch_related("items__request")
                           .order_by("-held_on", "-id")),
    }
