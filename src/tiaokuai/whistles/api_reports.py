"""GET /api/v1/whistle-figures?month=2026-11&by=department|township — the monthly figures as JSON."""

from django.http import HttpRequest
from ninja import Router, Schema

from tiaokuai.core.api import ErrorOut, viewer

from . import reports

router = Router(tags=["whistles"])


class WhistleFigureRow(Schema):
    id: int
    name: str
    whistles: int
    dispatches: int
    responded_on_time: int
    arrived_on_time: int
    resolved_on_time: int
    response_rate: float | None
    arrival_rate: float | None
    resolution_rate: float | None
    rated: int
    avg_rating: float | None
    disputes: int
    disputes_open: int
    disputes_kept: int
    disputes_rerouted: int


class WhistleFiguresOut(Schema):
    month: str
    by: str
    rows: list[WhistleFigureRow]


@router.get("/whistle-figures", response={200: WhistleFiguresOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def whistle_figures(request: HttpRequest, month: str = "", by: str = "department"):
    by = by if by in ("department", "township") else "department"
    first = reports.parse_month(month)
    return {"month": f"{first:%Y-%m}", "by": by, "rows": reports.monthly_figures(viewer(request), first, by)}
