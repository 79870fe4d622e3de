"""Monthly figures of citizen requests per channel, township or body: requests, answered on time, resolved,
satisfaction with and without the excluded outcomes (unreasonable, answered on the spot), callbacks made and
false completions found. Pages and xlsx read these (reads only)."""

import datetime as dt
from io import BytesIO
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.clocks import TZ, add_months
from tiaokuai.core.xlsx import append_row

from .choices import EXCLUDED_FROM_SATISFACTION, Channel, DispatchStatus, Outcome, Satisfaction
from .models import Request
from .selectors import requests_for

GROUPS = {"channel": "channel", "township": "township__name", "department": "dispatches__organisation__name"}
COLUMNS = [
    ("name", _("Name")), ("requests", _("Requests")), ("answered", _("Answered")),
    ("on_time", _("Answered on time")), ("resolved", _("Resolved")), ("callbacks", _("Callbacks made")),
    ("rate", _("Satisfaction % (excluded outcomes left out)")), ("rate_all", _("Satisfaction % (all)")),
    ("excluded", _("Excluded outcomes")), ("false_completions", _("False completions")),
]


def parse_month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _rate(good: int, total: int) -> float | None:
    return round(100 * good / total, 1) if total else None


def monthly_figures(viewer: Viewer, month: dt.date, by: str) -> list[dict[str, Any]]:
    start = dt.datetime.combine(month, dt.time(0), tzinfo=TZ)
    end = dt.datetime.combine(add_months(month, 1), dt.time(0), tzinfo=TZ)
    qs: QuerySet[Request] = requests_for(viewer).filter(submitted_at__gte=start, submitted_at__lt=end)
    key = GROUPS.get(by, "channel")
    if by == "department":
        qs = qs.exclude(dispatches__status=DispatchStatus.WITHDRAWN).filter(dispatches__isnull=False)
    called = ~Q(satisfaction="")
    good = Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
    counted = ~Q(outcome__in=list(EXCLUDED_FROM_SATISFACTION))
    rows = (qs.order_by().values(key).annotate(
        requests=Count("id", distinct=True),
        answered=Count("id", filter=Q(resolved_at__isnull=False), distinct=True),
        on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("feedback_by")), distinct=True),
        resolved=Count("id", filter=Q(outcome=Outcome.RESOLVED), distinct=True),
        callbacks=Count("id", filter=called, distinct=True),
        good_all=Count("id", filter=called & good, distinct=True),
        counted=Count("id", filter=called & counted, distinct=True),
        good=Count("id", filter=called & good & counted, distinct=True),
        false_completions=Count("id", filter=Q(false_completion=True), distinct=True),
    ).order_by(key))
    labels = dict(Channel.choices)
    out = []
    for r in rows:
        name = r[key]
        out.append({**r, "name": str(labels.get(name, name)) if by == "channel" else name,
                    "rate": _rate(r["good"], r["counted"]), "rate_all": _rate(r["good_all"], r["callbacks"]),
                    "excluded": r["callbacks"] - r["counted"]})
    return out


def figures_xlsx(rows: list[dict[str, Any]], month: dt.date) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"{month:%Y-%m}"
    append_row(ws, [str(label) for _k, label in COLUMNS])
    for row in rows:
        append_row(ws, [row.get(k) for k, _label in COLUMNS])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
