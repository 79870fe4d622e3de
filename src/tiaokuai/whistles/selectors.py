"""Reads of the whistle flow, scoped by the viewer."""

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.errors import NotFound
from tiaokuai.duties.choices import ListKind, ReleaseStatus
from tiaokuai.duties.models import ListRelease
from tiaokuai.org.choices import Role
from tiaokuai.org.models import Division, Domain, Organisation

from .access import (
    dispatch_parties,
    handled_q,
    is_office,
    may_see_whistle,
    scope_whistles,
    whistle_parties,
)
from .choices import OVERDUE_COUNT, PENDING_DISPATCH, DispatchStatus, DisputeStatus, WhistleStatus
from .clocks import DISPATCH_CLOCKS
from .models import (
    Dispatch,
    Dispute,
    Whistle,
    WhistleCount,
    WhistleItem,
    not_in_counts_ids_sql,
    overdue_uncounted_ids_sql,
)
from .workflows import DISPATCH, WHISTLE


def overdue_q(now: dt.datetime, prefix: str = "") -> Q:
    """Dispatch rows (or `prefix`-related rows) whose pending step is past its deadline (clocks running)."""
    return DISPATCH_CLOCKS.overdue_q(now, prefix)


def step_annotations() -> dict[str, Any]:
    """`step` ("respond" | "arrive" | "resolve" | "") and `due` (its deadline) of each dispatch, in SQL; empty/NULL
    while nothing is pending or the clocks are paused (disputed)."""
    return DISPATCH_CLOCKS.annotations()


def _dispatches_prefetch() -> Prefetch:
    return Prefetch("dispatches", queryset=Dispatch.objects.select_related("organisation").order_by("-role", "id"))


def visible_whistles(viewer: Viewer) -> QuerySet[Whistle]:
    return scope_whistles(viewer, Whistle.objects.all()).select_related(
        "item", "item__domain", "township", "village", "grid", "raising_org", "raised_by",
    ).prefetch_related(_dispatches_prefetch()).order_by("-raised_at", "-id")


def whistle_detail(viewer: Viewer, whistle_id: Any) -> Whistle:
    try:
        pk = int(whistle_id)
    except (TypeError, ValueError):
        raise NotFound(_("Whistle not found.")) from None
    whistle = (Whistle.objects.select_related("item", "item__domain", "township", "village", "grid",
                                              "raising_org", "raised_by", "item_release", "responsibility_release")
               .prefetch_related(_dispatches_prefetch(), "attachments",
                                 Prefetch("dispatches__notes", queryset=_notes()),
                                 "dispatches__rating", "dispatches__disputes", "dispatches__escalations")
               .filter(pk=pk).first())
    if whistle is None or not may_see_whistle(viewer, whistle, {d.organisation_id for d in whistle.dispatches.all()}):
        raise NotFound(_("Whistle not found."))
    return whistle


def _notes() -> QuerySet:
    from .models import DispatchNote

    return DispatchNote.objects.select_related("author").prefetch_related("attachments").order_by("at", "id")


def dispatch_inbox(viewer: Viewer, *, q: str = "", status: Any = None, role: Any = None,
                   urgency: Any = None) -> QuerySet[Dispatch]:
    """The open dispatches the viewer works (a department's to its units, a township's to its government and
    offices: access.handled_q), the most urgent first (earliest pending deadline). The inbox page's filters narrow
    it: a search over the whistle's number, item and village, the dispatch's status and role, the urgency."""
    if not viewer.is_authenticated:
        return Dispatch.objects.none()
    qs = (Dispatch.objects.filter(handled_q(viewer),
                                  status__in=list(PENDING_DISPATCH) + [DispatchStatus.DISPUTED])
          .select_related("whistle", "whistle__item", "whistle__village", "whistle__township", "organisation")
          .annotate(**step_annotations())
          .order_by(F("due").asc(nulls_last=True), "id"))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(whistle__number__icontains=q) | Q(whistle__item__name__icontains=q)
                       | Q(whistle__item__code__icontains=q) | Q(whistle__village__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if role:
        qs = qs.filter(role=role)
    if urgency:
        qs = qs.filter(whistle__urgency=urgency)
    return qs


def board(viewer: Viewer, *, township: Any = None, department: Any = None, domain: Any = None,
          status: Any = None, overdue: Any = None, counting: bool = False) -> QuerySet[Whistle]:
    """Whistles for the county board, filtered. Codes or ids are accepted for township/department/domain.
    counting=True: the form of the overdue filter that suits counting every match (a range of the overdue index)
    rather than reading one page of the newest (a walk of the raised_at index: _LteScanned)."""
    qs = visible_whistles(viewer)
    # Codes are resolved to ids first, so each filter is an indexed equality, not an OR across a join.
    if township:
        qs = qs.filter(township_id=_id_of(Division, township))
    if department:
        qs = qs.filter(Exists(Dispatch.objects.filter(organisation_id=_id_of(Organisation, department),
                                                      whistle_id=OuterRef("pk"))
                              .exclude(status=DispatchStatus.WITHDRAWN)))
    if domain:
        qs = qs.filter(item__domain_id=_id_of(Domain, domain))
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if overdue in (True, "1", "true", "yes", 1):
        # The whistle's earliest running deadline has passed (Whistle.overdue_from, kept with every dispatch
        # change: ADR 0020) — a range of its partial index, or a filter on the page's newest whistles.
        qs = qs.filter(**{"overdue_from__lte" if counting else "overdue_from__lte_scanned": timezone.now()})
    elif overdue in (False, "0", "false", "no", 0):
        qs = qs.exclude(overdue_from__lte=timezone.now())
    return qs


class _LteScanned(LessThanOrEqual):
    """`overdue_from__lte_scanned=now`: `<=` on COALESCE(overdue_from, the end of time) for SQLite, a term no index
    serves (not even the partial one on overdue_from IS NOT NULL, which a plain or "+" comparison implies). A page
    of the newest overdue whistles then walks the raised_at index and stops after one page; served from the overdue
    index, SQLite read every overdue whistle and sorted them all (0.2 s at 1 M whistles). PostgreSQL weighs both
    plans itself."""

    lookup_name = "lte_scanned"

    def process_lhs(self, compiler: Any, connection: Any, lhs: Any = None) -> Any:
        sql, params = super().process_lhs(compiler, connection, lhs)
        if connection.vendor == "sqlite":
            return f"COALESCE({sql}, '9999-12-31 23:59:59')", params  # NULL (no clock running): never overdue
        return sql, params

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return connection.operators["lte"] % rhs


Whistle._meta.get_field("overdue_from").register_lookup(_LteScanned)


# The statuses the board counts: the work in hand. Closed whistles are history — counting them would cost what
# the history weighs; the figures page has them per month (ADR 0011).
BOARD_STATUSES = (WhistleStatus.ROUTING, WhistleStatus.OPEN, WhistleStatus.RESOLVED, WhistleStatus.CONFIRMED)


def board_counts(viewer: Viewer, **filters: Any) -> tuple[dict[str, int], int]:
    """({status: whistles} over BOARD_STATUSES, overdue whistles) for the board's cards, with the board's filters
    (but status and overdue): status_counts and overdue_count."""
    filters = {k: v for k, v in filters.items() if k not in ("status", "overdue")}
    return status_counts(viewer, **filters), overdue_count(viewer, **filters)


def status_counts(viewer: Viewer, **filters: Any) -> dict[str, int]:
    """{status: whistles} over BOARD_STATUSES: read from the counts table (models.WhistleCount, ADR 0013) when the
    viewer's scope and filters name one of its scopes — a few rows, whatever the open work weighs — plus the
    whistles raised since the last fold, counted through their partial index (ADR 0015), in one statement;
    otherwise counted over the work in hand (the (status, raised_at) index). Overdue: overdue_count (ADR 0020)."""
    filters = {k: v for k, v in filters.items() if k not in ("status", "overdue")}
    scope = count_scope(viewer, **filters)
    qs = board(viewer, **filters).filter(status__in=BOARD_STATUSES).order_by()
    counted: dict[str, int] = dict.fromkeys(BOARD_STATUSES, 0)
    if scope is None:
        return counted | dict(qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
    for status, n in _kept_and_since(scope, BOARD_STATUSES, qs, not_in_counts_ids_sql()):
        counted[status] += n
    return counted


def _kept_and_since(scope: tuple[str, int], statuses: Any, qs: QuerySet[Whistle],
                    since: tuple[str, tuple[Any, ...]]) -> list[tuple[str, int]]:
    """(status, n) rows: the counts table's rows of `scope` in `statuses`, and the viewer's whistles (`qs`) among
    `since` ((SQL, params) of the ids the table does not hold yet, read through their partial index) by status —
    one UNION ALL statement, so both parts are read in one snapshot."""
    pending = (qs.filter(pk__in=RawSQL(*since))  # noqa: S611 (the model's own SQL)
               .values("status").annotate(n=Count("id")).values_list("status", "n"))
    kept = WhistleCount.objects.filter(kind=scope[0], scope_id=scope[1], status__in=statuses).values_list(
        "status", "n")
    return list(kept.union(pending, all=True))


def count_scope(viewer: Viewer, **filters: Any) -> tuple[str, int] | None:
    """The counts table's scope (services.counts) that is exactly what this viewer sees with these board filters,
    or None (the counts are then counted from the rows): county-wide viewers, all or one township; a department's
    staff (one unit and the units below it); a township's staff or grid workers of one township."""
    filters = {k: v for k, v in filters.items() if v not in ("", None, False)}
    if not viewer.is_authenticated:
        return None
    if viewer.county_wide:
        if not filters:
            return ("all", 0)
        if set(filters) == {"township"}:
            return ("town", _id_of(Division, filters["township"]))
        return None
    if filters:
        return None
    if viewer.roles == {Role.TOWNSHIP} and len(viewer.township_ids) == 1:
        return ("tview", next(iter(viewer.township_ids)))
    if viewer.roles == {Role.GRID_WORKER} and len(viewer.township_ids) == 1:
        return ("town", next(iter(viewer.township_ids)))
    if viewer.roles == {Role.DEPARTMENT} and viewer.organisation_ids:
        ids = viewer.organisation_ids
        if len(ids) == 1:
            return ("org", next(iter(ids)))
        roots = [pk for pk, parent in Organisation.objects.filter(pk__in=ids).values_list("pk", "parent_id")
                 if parent not in ids]
        if len(roots) == 1:
            return ("org", roots[0])
    return None


def overdue_count(viewer: Viewer, **filters: Any) -> int:
    """How many whistles the viewer sees (with the board's filters) are overdue: the counts table's overdue row of
    the viewer's scope (count_scope) plus those overdue since the sweep last counted them — a few, through their
    partial index (ADR 0020) — in one statement; otherwise counted over the overdue whistles (overdue_from)."""
    filters = {k: v for k, v in filters.items() if k not in ("status", "overdue")}
    scope = count_scope(viewer, **filters)
    if scope is None:
        return board(viewer, **filters, overdue=True, counting=True).order_by().count()
    return sum(n for _s, n in _kept_and_since(scope, [OVERDUE_COUNT], board(viewer, **filters).order_by(),
                                               overdue_uncounted_ids_sql(timezone.now())))


def _id_of(model: Any, value: Any) -> int:
    """The id of a row named by code or id (-1 when there is none: the filter then matches nothing)."""
    found = model.objects.filter(code=str(value)).values_list("pk", flat=True).first()
    return found if found is not None else _int(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def whistle_items_in_force(on: dt.date | None = None) -> QuerySet[WhistleItem]:
    on = on or timezone.localdate()
    release = (ListRelease.objects.filter(kind=ListKind.WHISTLE, status=ReleaseStatus.PUBLISHED, effective_from__lte=on)
               .order_by("-effective_from").values("pk")[:1])
    return WhistleItem.objects.filter(release_id__in=release).select_related("domain").order_by("code")


def open_disputes(viewer: Viewer) -> QuerySet[Dispute]:
    if not is_office(viewer):
        return Dispute.objects.none()
    return (Dispute.objects.filter(status=DisputeStatus.OPEN)
            .select_related("dispatch", "dispatch__whistle", "dispatch__whistle__item", "dispatch__organisation",
                            "raised_by")
            .order_by("raised_at", "id"))


def allowed_actions(viewer: Viewer, whistle: Whistle) -> dict[int | str, list[str]]:
    """Which buttons to show: {dispatch id: [...], "whistle": [...]}, read from the workflow tables for the
    parties the viewer is (the services still check everything)."""
    out: dict[int | str, list[str]] = {}
    parties = whistle_parties(viewer, whistle)
    closed = whistle.status == WhistleStatus.CLOSED
    out["whistle"] = WHISTLE.available(whistle.status, parties)
    for d in whistle.dispatches.all():
        acts = DISPATCH.available(d.status, dispatch_parties(viewer, d))
        if closed:  # a closed whistle takes no notes
            acts = [a for a in acts if a != "note"]
        out[d.pk] = acts
    return out


def routing_labels() -> list[tuple[str, str, str]]:
    """(text, matter code, organisation code) for training the text router: the lead body of every whistle that
    was never disputed, or whose dispute the establishment office settled (kept: the same body; rerouted: the
    new one). Whistles with an open dispute are left out (not settled yet)."""
    open_dispute = Exists(Dispute.objects.filter(dispatch__whistle=OuterRef("whistle_id"), status=DisputeStatus.OPEN))
    rows = (Dispatch.objects.filter(role="lead").exclude(status=DispatchStatus.WITHDRAWN)
            .exclude(status=DispatchStatus.DISPUTED).exclude(open_dispute)
            .values_list("whistle__description", "matter_code", "organisation__code").order_by("whistle_id"))
    return [(text, matter or "", org) for text, matter, org in rows]


# ---------------------------------------------------------------------------------------------
# The workbench's to-do (whistles/todo.py): each scoped to what the viewer may do


def dispatches_to_work(viewer: Viewer) -> QuerySet[Dispatch]:
    """The viewer's dispatches with a pending step (accept, arrive, finish): the inbox without the disputed ones,
    the earliest deadline first."""
    return dispatch_inbox(viewer).filter(status__in=list(PENDING_DISPATCH))


def whistles_to_confirm(viewer: Viewer) -> QuerySet[Whistle]:
    """Whistles of the viewer's township that every body finished: the township confirms or returns them."""
    if Role.TOWNSHIP not in viewer.roles or not viewer.township_ids:
        return Whistle.objects.none()
    return (Whistle.objects.filter(township_id__in=viewer.township_ids, status=WhistleStatus.RESOLVED)
            .select_related("item", "village").order_by("resolved_at", "id"))


def whistles_to_rate(viewer: Viewer) -> QuerySet[Whistle]:
    """Confirmed or closed whistles of the viewer's township with a finished body not rated yet."""
    if Role.TOWNSHIP not in viewer.roles or not viewer.township_ids:
        return Whistle.objects.none()
    unrated = Dispatch.objects.filter(whistle=OuterRef("pk"), status=DispatchStatus.RESOLVED, rating__isnull=True)
    return (Whistle.objects.filter(township_id__in=viewer.township_ids,
                                   status__in=[WhistleStatus.CONFIRMED, WhistleStatus.CLOSED])
            .filter(Exists(unrated)).select_related("item", "village").order_by("confirmed_at", "id"))


def whistles_to_route(viewer: Viewer) -> QuerySet[Whistle]:
    """Whistles not on the list, waiting for the establishment office to route them by hand."""
    if not is_office(viewer):
        return Whistle.objects.none()
    return (Whistle.objects.filter(status=WhistleStatus.ROUTING)
            .select_related("item", "township", "village").order_by("raised_at", "id"))


def supervised_dispatches(viewer: Viewer) -> QuerySet[Dispatch]:
    """Pending dispatches escalated to supervision (the last rung), for the supervision office and the leaders;
    the earliest deadline first."""
    if not viewer.has_role(Role.SUPERVISION, Role.LEADER):
        return Dispatch.objects.none()
    from .choices import MAX_ESCALATION_LEVEL

    return (Dispatch.objects.filter(status__in=list(PENDING_DISPATCH), escalation_level__gte=MAX_ESCALATION_LEVEL)
            .select_related("whistle", "whistle__item", "whistle__village", "whistle__township", "organisation")
            .annotate(**step_annotations()).order_by(F("due").asc(nulls_last=True), "id"))


# ---------------------------------------------------------------------------------------------
# The whistle list page: the board's filters plus a search, urgency and the township's to-do


def whistle_search(viewer: Viewer, *, q: str = "", urgency: Any = None, todo: str = "", **filters: Any
                   ) -> QuerySet[Whistle]:
    """Whistles the viewer may see, filtered like the board (township, department, domain, status, overdue) and by
    a search over the number, the description, the item and the village, the urgency, and the township's to-do
    ("confirm": finished by every body, "rate": confirmed with a body not rated). Newest first."""
    qs = board(viewer, **filters)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(description__icontains=q) | Q(item__name__icontains=q)
                       | Q(item__code__icontains=q) | Q(village__name__icontains=q))
    if urgency:
        qs = qs.filter(urgency=urgency)
    if todo == "confirm":
        qs = qs.filter(pk__in=whistles_to_confirm(viewer).values("pk"))
    elif todo == "rate":
        qs = qs.filter(pk__in=whistles_to_rate(viewer).values("pk"))
    return qs
