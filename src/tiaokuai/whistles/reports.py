"""Read-only reports on whistles: deadline states for the pages, the accountability panel
("失职依单追责、尽职依单免责") and the monthly figures. Reads only; scoped by the viewer."""

import datetime as dt
from collections import defaultdict
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiaokuai.core import worktime
from tiaokuai.core.access import Viewer
from tiaokuai.core.personal import mask_text
from tiaokuai.core.xlsx import append_row
from tiaokuai.duties.choices import BodyKind
from tiaokuai.org.choices import TOWNSHIP_BODY_KINDS, OrganisationKind

TZ = ZoneInfo("Asia/Shanghai")
DUE_SOON_MINUTES = 4 * 60  # "due soon": within four working hours

DEADLINE_KINDS = [
    ("respond", "respond_by", "responded_at", gettext_lazy("Respond")),
    ("arrive", "arrive_by", "arrived_at", gettext_lazy("Arrive")),
    ("resolve", "resolve_by", "resolved_at", gettext_lazy("Resolve")),
]
PENDING = {"dispatched", "responded", "arrived"}


# ---------------------------------------------------------------------------------------------
# Deadlines as the pages show them


def _natural(dispatch) -> bool:
    whistle = getattr(dispatch, "whistle", None)
    return getattr(whistle, "urgency", "") == "emergency"


def met_label(minutes_early: int, *, natural: bool = False) -> str:
    """'提前 1 天' / '超时 2 小时' from signed minutes (positive = early)."""
    if minutes_early >= 0:
        return _("%(duration)s early") % {"duration": worktime.duration_label(minutes_early, natural=natural)}
    return _("%(duration)s late") % {"duration": worktime.duration_label(-minutes_early, natural=natural)}


def deadline_info(dispatch, kind: str, due_field: str, done_field: str, now: dt.datetime) -> dict[str, Any]:
    """One deadline of one dispatch: due time, done time, met/missed by how much, or time left."""
    natural = _natural(dispatch)
    due = getattr(dispatch, due_field, None)
    done = getattr(dispatch, done_field, None)
    info: dict[str, Any] = {"kind": kind, "due": due, "done": done, "met": None, "minutes": None,
                            "label": "", "css": "status-muted", "pending": False}
    if due is None:
        info["label"] = "—"
        return info
    if done is not None:
        minutes = worktime.remaining_minutes(done, due, natural=natural)
        info.update(met=done <= due, minutes=minutes, label=met_label(minutes, natural=natural),
                    css="status-done" if done <= due else "status-overdue")
        return info
    if dispatch.status not in PENDING:
        info["label"] = _("Not reached") if dispatch.status != "disputed" else _("Paused (disputed)")
        return info
    if getattr(dispatch, "paused_since", None):
        info.update(label=_("Paused"), pending=True)
        return info
    minutes = worktime.remaining_minutes(now, due, natural=natural)
    info.update(pending=True, minutes=minutes, label=worktime.remaining_label(now, due, natural=natural))
    if due <= now:
        info.update(css="status-overdue", met=False)
    elif minutes <= DUE_SOON_MINUTES:
        info["css"] = "status-due-soon"
    else:
        info["css"] = "status-open"
    return info


def deadlines(dispatch, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    out = []
    for kind, due_field, done_field, label in DEADLINE_KINDS:
        info = deadline_info(dispatch, kind, due_field, done_field, now)
        info["title"] = label
        out.append(info)
    return out


def current_deadline(dispatch, now: dt.datetime | None = None) -> dict[str, Any]:
    """The deadline the dispatch is working towards now (the first not yet met), for the inbox."""
    now = now or timezone.now()
    for kind, due_field, done_field, label in DEADLINE_KINDS:
        if getattr(dispatch, done_field, None) is None:
            info = deadline_info(dispatch, kind, due_field, done_field, now)
            info["title"] = label
            return info
    info = {"kind": "done", "label": _("Done"), "css": "status-done", "title": _("Resolve"), "pending": False}
    return info


# ---------------------------------------------------------------------------------------------
# Accountability: 依单追责、尽职依单免责


def _release_label(release) -> str:
    if release is None:
        return "—"
    eff = release.effective_from.isoformat() if release.effective_from else "—"
    in_force_from = _("in force from %(date)s") % {"date": eff}
    return f"{release} · {release.title} ({in_force_from})"


def accountability(viewer: Viewer, whistle_id: int) -> dict[str, Any]:
    """For each dispatch: which list versions and which matter made the body lead or assist (with
    the duty text), each deadline met or missed and by how much, pauses, escalations, disputes and
    decisions. Raises NotFound when the viewer may not see the whistle."""
    from tiaokuai.duties.models import Assignment, Matter

    from . import selectors
    from .models import Dispatch

    whistle = selectors.whistle_detail(viewer, whistle_id)
    dispatches = list(
        Dispatch.objects.filter(whistle_id=whistle.pk)
        .select_related("organisation", "decided_by_release", "whistle")
        .prefetch_related("disputes__decided_by", "disputes__raised_by", "disputes__new_organisation",
                          "escalations")
        .order_by("id")
    )
    # Matters and duty texts of the responsibility-list versions that decided each dispatch: one query each.
    keys = {(d.decided_by_release_id, d.matter_code) for d in dispatches if d.decided_by_release_id and d.matter_code}
    matters: dict[tuple[int, str], Any] = {}
    duties: dict[tuple[int, str, int | str], Any] = {}
    if keys:
        release_ids = {k[0] for k in keys}
        codes = {k[1] for k in keys}
        for m in Matter.objects.filter(release_id__in=release_ids, code__in=codes).select_related("domain"):
            matters[(m.release_id, m.code)] = m
        for a in Assignment.objects.filter(
                Q(organisation_id__in={d.organisation_id for d in dispatches})
                | Q(body_kind=BodyKind.TERRITORIAL_TOWNSHIP),
                matter__release_id__in=release_ids, matter__code__in=codes).select_related("matter"):
            duties[(a.matter.release_id, a.matter.code, a.organisation_id or BodyKind.TERRITORIAL_TOWNSHIP)] = a
    now = timezone.now()
    item = whistle.item
    rows = []
    for d in dispatches:
        assignment = duties.get((d.decided_by_release_id, d.matter_code, d.organisation_id))
        if assignment is None and _is_government_of(d.organisation, whistle.township_id):
            # The territorial role 属地乡镇（街道） resolved to the government of the whistle's township.
            assignment = duties.get((d.decided_by_release_id, d.matter_code, BodyKind.TERRITORIAL_TOWNSHIP))
        matter = matters.get((d.decided_by_release_id, d.matter_code))
        dl = deadlines(d, now)
        missed = [x for x in dl if x["met"] is False]
        disputes = list(d.disputes.all())
        kept_disputes = [x for x in disputes if x.status == "kept"]
        if d.status == "withdrawn":
            verdict, verdict_css = _("Withdrawn: another body was made responsible"), "status-muted"
        elif missed:
            verdict = _("Missed %(kinds)s: accountable under the list") % {
                "kinds": "、".join(str(x["title"]) for x in missed)}
            verdict_css = "status-overdue"
        elif all(x["met"] for x in dl if x["due"] is not None) and d.status == "resolved":
            verdict, verdict_css = _("Every deadline met: duty done under the list (exempt)"), "status-done"
        else:
            verdict, verdict_css = _("In progress"), "status-open"
        rows.append({
            "dispatch": d,
            "organisation": d.organisation,
            "role": d.get_role_display(),
            "assignment_role": d.get_assignment_role_display() if d.assignment_role else _("Routed by hand"),
            "matter_code": d.matter_code,
            "matter": matter,
            "duty": assignment.duty if assignment else "",
            "responsibility_release": d.decided_by_release or whistle.responsibility_release,
            "responsibility_release_label": _release_label(d.decided_by_release or whistle.responsibility_release),
            "deadlines": dl,
            "paused_minutes": d.paused_minutes or 0,
            "paused_label": worktime.duration_label(d.paused_minutes or 0) if d.paused_minutes else "",
            "paused_since": d.paused_since,
            "escalations": sorted(d.escalations.all(), key=lambda e: (e.at, e.level)),
            "disputes": disputes,
            "kept_disputes": kept_disputes,
            "verdict": verdict,
            "verdict_css": verdict_css,
        })
    return {
        "whistle": whistle,
        "item": item,
        "item_release": whistle.item_release,
        "item_release_label": _release_label(whistle.item_release),
        "responsibility_release": whistle.responsibility_release,
        "responsibility_release_label": _release_label(whistle.responsibility_release),
        "rows": rows,
        "generated_at": now,
    }


def _is_government_of(organisation, township_id: int) -> bool:
    return organisation.kind == OrganisationKind.TOWNSHIP and organisation.division_id == township_id


def _local_text(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, TZ).strftime("%Y-%m-%d %H:%M")


def accountability_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Accountability")[:31]
    w = report["whistle"]
    append_row(ws, [_("Whistle"), w.number])
    append_row(ws, [_("Whistle list version"), report["item_release_label"]])
    append_row(ws, [_("Responsibility list version"), report["responsibility_release_label"]])
    append_row(ws, [_("Item"), f"{report['item'].code} {report['item'].name}" if report["item"] else _("Not on the list")])
    append_row(ws, [])
    header = [_("Body"), _("Role"), _("Responsibility"), _("Matter"), _("Duty"), _("List version"),
              _("Deadline"), _("Due"), _("Done"), _("Met"), _("By how much"), _("Paused"),
              _("Escalation level"), _("Disputes"), _("Verdict")]
    append_row(ws, [str(h) for h in header])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in report["rows"]:
        disputes = "; ".join(
            mask_text(f"{x.reason} → {x.get_status_display()} {x.decision_note}").strip() for x in r["disputes"])
        matter = f"{r['matter_code']} {r['matter'].name}" if r["matter"] else r["matter_code"]
        for dl in r["deadlines"]:
            append_row(ws, [
                r["organisation"].name, str(r["role"]), str(r["assignment_role"]), matter, r["duty"],
                r["responsibility_release_label"], str(dl["title"]), _local_text(dl["due"]), _local_text(dl["done"]),
                "" if dl["met"] is None else (_("yes") if dl["met"] else _("no")), dl["label"],
                r["paused_label"], r["dispatch"].escalation_level, disputes, str(r["verdict"]),
            ])
    for col, width in zip("ABCDEFGHIJKLMNO", [22, 8, 14, 26, 36, 36, 10, 17, 17, 6, 18, 12, 8, 30, 36], strict=True):
        ws.column_dimensions[col].width = width
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Monthly figures


def month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(month.year, month.month, 1, tzinfo=TZ)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=TZ)
    return start, end


def parse_month(value: str | None, default: dt.date | None = None) -> dt.date:
    if value:
        try:
            year, mon = value.split("-")[:2]
            return dt.date(int(year), int(mon), 1)
        except (ValueError, TypeError):
            pass
    today = default or timezone.localdate()
    return today.replace(day=1)


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def monthly_figures(viewer: Viewer, month: dt.date, by: str = "department") -> list[dict[str, Any]]:
    """Per department (the dispatched body) or per township, for whistles raised in `month`:
    whistles, dispatches, on-time response / arrival / resolution rates, average rating (1–5, mean of
    speed, attitude and result), disputes and how they ended. Three aggregate queries, whatever the size.
    Townships are not departments: by department, dispatches to a township's government or offices (called by
    hand, or as 属地乡镇（街道）) are left out; by township, each township counts the whistles it raised."""
    from . import selectors
    from .models import Dispatch, Dispute

    if by not in ("department", "township"):
        by = "department"
    start, end = month_range(month)
    visible = (selectors.visible_whistles(viewer).filter(raised_at__gte=start, raised_at__lt=end)
               .prefetch_related(None).order_by())
    dispatches = Dispatch.objects.filter(whistle__in=visible.values("pk")).exclude(status="withdrawn")
    disputes = Dispute.objects.filter(dispatch__whistle__in=visible.values("pk"))
    if by == "department":
        dispatches = dispatches.exclude(organisation__kind__in=TOWNSHIP_BODY_KINDS)
        disputes = disputes.exclude(dispatch__organisation__kind__in=TOWNSHIP_BODY_KINDS)
        key, name = "organisation_id", "organisation__name"
        dkey, dname = "dispatch__organisation_id", "dispatch__organisation__name"
    else:
        # Grouped by the joined whistle's township: the month is stated on that whistle too, so the planner starts
        # from the month's whistles (their raised_at index); it had read every dispatch and whistle (13 s at 10 M).
        dispatches = dispatches.filter(whistle__raised_at__gte=start, whistle__raised_at__lt=end)
        key, name = "whistle__township_id", "whistle__township__name"
        dkey, dname = "dispatch__whistle__township_id", "dispatch__whistle__township__name"
    score = (Cast(F("rating__speed"), FloatField()) + F("rating__attitude") + F("rating__result")) / 3.0
    rows: dict[int, dict[str, Any]] = {}
    # "whistles" is counted without DISTINCT (which sorts every dispatch of the month per group): by department a
    # body is called once per whistle (the constraint dispatch_one_live_call_per_body), so its dispatches are its
    # whistles; by township the whistles are counted from the whistles themselves below.
    for r in (dispatches.values(key, name).annotate(
            whistles=Count("id"),
            dispatches=Count("id"),
            responded=Count("id", filter=Q(responded_at__isnull=False)),
            responded_on_time=Count("id", filter=Q(responded_at__lte=F("respond_by"))),
            arrived_on_time=Count("id", filter=Q(arrived_at__lte=F("arrive_by"))),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            resolved_on_time=Count("id", filter=Q(resolved_at__lte=F("resolve_by"))),
            rated=Count("rating"),
            avg_rating=Avg(score),
    ).order_by(name)):
        rows[r[key]] = {
            "id": r[key], "name": r[name], "whistles": r["whistles"], "dispatches": r["dispatches"],
            "responded": r["responded"], "responded_on_time": r["responded_on_time"],
            "arrived_on_time": r["arrived_on_time"], "resolved": r["resolved"],
            "resolved_on_time": r["resolved_on_time"], "rated": r["rated"],
            "avg_rating": round(r["avg_rating"], 2) if r["avg_rating"] is not None else None,
        }
    if by == "township":
        # Whistles still waiting for the office have no dispatch yet but count for the township.
        for r in visible.values("township_id", "township__name").annotate(n=Count("id")).order_by():
            row = rows.setdefault(r["township_id"], {
                "id": r["township_id"], "name": r["township__name"], "dispatches": 0, "responded": 0,
                "responded_on_time": 0, "arrived_on_time": 0, "resolved": 0, "resolved_on_time": 0,
                "rated": 0, "avg_rating": None})
            row["whistles"] = r["n"]
    dispute_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for r in disputes.values(dkey, "status").annotate(n=Count("id")).order_by():
        dispute_counts[r[dkey]][r["status"]] = r["n"]
        if r[dkey] not in rows:
            rows[r[dkey]] = {"id": r[dkey], "name": "", "whistles": 0, "dispatches": 0, "responded": 0,
                             "responded_on_time": 0, "arrived_on_time": 0, "resolved": 0,
                             "resolved_on_time": 0, "rated": 0, "avg_rating": None}
    if any(not row["name"] for row in rows.values()):
        names = dict(disputes.values_list(dkey, dname).order_by().distinct())
        for row in rows.values():
            row["name"] = row["name"] or names.get(row["id"], "")
    out = []
    for row in rows.values():
        counts = dispute_counts.get(row["id"], {})
        n = row["dispatches"]
        row.update(
            response_rate=_rate(row["responded_on_time"], n),
            arrival_rate=_rate(row["arrived_on_time"], n),
            resolution_rate=_rate(row["resolved_on_time"], n),
            disputes=sum(counts.values()),
            disputes_open=counts.get("open", 0),
            disputes_kept=counts.get("kept", 0),
            disputes_rerouted=counts.get("rerouted", 0),
        )
        out.append(row)
    out.sort(key=lambda r: (-r["whistles"], r["name"]))
    return out


FIGURE_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("whistles", gettext_lazy("Whistles")),
    ("dispatches", gettext_lazy("Dispatches")),
    ("response_rate", gettext_lazy("Responded in time %")),
    ("arrival_rate", gettext_lazy("Arrived in time %")),
    ("resolution_rate", gettext_lazy("Resolved in time %")),
    ("avg_rating", gettext_lazy("Average rating")),
    ("disputes", gettext_lazy("Disputes")),
    ("disputes_kept", gettext_lazy("Kept")),
    ("disputes_rerouted", gettext_lazy("Rerouted")),
    ("disputes_open", gettext_lazy("Awaiting decision")),
]


def figures_xlsx(rows: list[dict[str, Any]], month: dt.date, by: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    append_row(ws, [str(label) for _key, label in FIGURE_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, [row.get(key) for key, _label in FIGURE_COLUMNS])
    ws.column_dimensions["A"].width = 24
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# The whistle list as a spreadsheet (what the list page shows, filtered)

LIST_COLUMNS = [
    gettext_lazy("Number"), gettext_lazy("Item code"), gettext_lazy("Item"), gettext_lazy("Township"),
    gettext_lazy("Village / community"), gettext_lazy("Urgency"), gettext_lazy("Status"),
    gettext_lazy("Lead department"), gettext_lazy("Assisting departments"), gettext_lazy("Current deadline"),
    gettext_lazy("Due at"), gettext_lazy("Raised at"), gettext_lazy("What happened"),
]


LIST_WIDTHS = (20, 14, 30, 14, 14, 8, 14, 24, 30, 22, 18, 18, 60)


INBOX_COLUMNS = [
    gettext_lazy("Current deadline"), gettext_lazy("Due at"), gettext_lazy("Number"), gettext_lazy("Item code"),
    gettext_lazy("Item"), gettext_lazy("Township"), gettext_lazy("Village / community"), gettext_lazy("Role"),
    gettext_lazy("Urgency"), gettext_lazy("Status"), gettext_lazy("Dispatched to"),
]
INBOX_WIDTHS = (22, 18, 20, 14, 30, 14, 14, 8, 8, 14, 24)


def inbox_export_row(d: Any, dl: dict[str, Any]) -> list[Any]:
    """One spreadsheet row of the dispatch inbox (a dispatch and its current deadline), under INBOX_COLUMNS."""
    w = d.whistle
    due = dl.get("due") if dl.get("pending") else None
    return [
        f"{dl.get('title', '')} {dl.get('label', '')}".strip(),
        due.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if due else "",
        w.number, w.item.code if w.item_id else "", w.item.name if w.item_id else str(_("Not on the list")),
        w.township.name, w.village.name, d.get_role_display(), w.get_urgency_display(), d.get_status_display(),
        d.organisation.name,
    ]


def whistle_export_row(row: dict[str, Any]) -> list[Any]:
    """One spreadsheet row of the whistle list (the list page's row: {"w", "lead", "assists", "deadline"}), under
    LIST_COLUMNS; written by core.listing.export_xlsx (text never a formula; phone and ID numbers in the
    description masked unless the unmasked export is granted)."""
    w, lead, dl = row["w"], row["lead"], row["deadline"] or {}
    due = dl.get("due") if dl.get("pending") else None
    return [
        w.number, w.item.code if w.item_id else "", w.item.name if w.item_id else str(_("Not on the list")),
        w.township.name, w.village.name, w.get_urgency_display(), w.get_status_display(),
        lead.organisation.name if lead else "", "、".join(d.organisation.name for d in row["assists"]),
        f"{dl.get('title', '')} {dl.get('label', '')}".strip() if dl else "",
        due.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if due else "",
        w.raised_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        w.description,
    ]
