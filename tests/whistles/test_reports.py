"""Accountability panel and monthly figures: content, numbers on a small fixture, exports, scoping."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tiaokuai.core import worktime
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.whistles import reports, services
from tiaokuai.whistles.models import Dispatch, Rating, Whistle

from .test_views import make_whistle_list, raise_one


@pytest.fixture
def wl(county):
    make_whistle_list(county)
    return county


def _lead(whistle):
    return whistle.dispatches.get(role="lead")


# ---------------------------------------------------------------- accountability


def test_given_late_arrival_when_reporting_accountability_then_versions_duty_and_misses_shown(wl, clock, login):
    clock.set(2026, 11, 23, 9, 0)
    whistle = raise_one(wl)
    d = _lead(whistle)
    clock.set(2026, 11, 23, 10, 0)
    services.dispatch_respond(actor=wl.users["department"], dispatch_id=d.pk)
    d.refresh_from_db()
    late = worktime.add_working_minutes(d.arrive_by, 120)
    clock.now = late
    services.dispatch_arrive(actor=wl.users["department"], dispatch_id=d.pk, people="李自然")

    report = reports.accountability(viewer_for(wl.users["leader"]), whistle.pk)
    row = next(r for r in report["rows"] if r["dispatch"].pk == d.pk)
    assert row["duty"] == "负责受理、调查和处理。"
    assert row["matter_code"] == "ZR-001" and row["matter"].name == "违法占用耕地建房查处"
    assert "示范县主体责任和配合责任清单" in row["responsibility_release_label"]
    assert "示范县吹哨清单" in report["item_release_label"]
    respond, arrive, resolve = row["deadlines"]
    assert respond["met"] is True and respond["minutes"] == 60
    assert arrive["met"] is False and arrive["minutes"] == -120
    assert resolve["met"] is None and resolve["pending"]
    assert row["verdict_css"] == "status-overdue"

    html = login(wl.users["township"]).get(f"/whistles/{whistle.pk}/accountability/").content.decode()
    assert "负责受理、调查和处理。" in html and 'data-kind="arrive"' in html and "status-overdue" in html


def test_given_every_deadline_met_when_reporting_then_exempt(wl, clock):
    clock.set(2026, 11, 23, 9, 0)
    whistle = raise_one(wl, item="CS-HB-001", description="油烟扰民")
    for d in whistle.dispatches.all():
        user = wl.users["department_other"] if d.organisation.code == "D-HB" else None
        if user is None:
            continue
        services.dispatch_respond(actor=user, dispatch_id=d.pk)
        services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="赵环保")
        clock.advance(hours=1)
        services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved", note="已整改")
    report = reports.accountability(viewer_for(wl.users["leader"]), whistle.pk)
    row = next(r for r in report["rows"] if r["organisation"].code == "D-HB")
    assert all(x["met"] for x in row["deadlines"])
    assert row["verdict_css"] == "status-done"


def test_given_outsider_when_reporting_accountability_then_not_found(wl):
    whistle = raise_one(wl)
    with pytest.raises(NotFound):
        reports.accountability(viewer_for(wl.users["township_other"]), whistle.pk)


def test_given_whistle_when_exporting_accountability_then_xlsx_with_one_row_per_deadline(wl, login):
    whistle = raise_one(wl)
    resp = login(wl.users["township"]).get(f"/whistles/{whistle.pk}/accountability/", {"format": "xlsx"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert whistle.number in values and "县自然资源局" in values
    n_dispatches = whistle.dispatches.count()
    assert ws.max_row == 6 + 3 * n_dispatches


# ---------------------------------------------------------------- monthly figures


@pytest.fixture
def november(wl, clock):
    """Three whistles in November 2026 (two to 自然资源局, one disputed and kept at 生态环境局) and one in October."""
    clock.set(2026, 11, 23, 9, 0)
    w1 = raise_one(wl, description="占地一")
    w2 = raise_one(wl, description="占地二")
    d1, d2 = _lead(w1), _lead(w2)
    Dispatch.objects.filter(pk=d1.pk).update(
        status="resolved", responded_at=d1.respond_by - dt.timedelta(minutes=1),
        arrived_at=d1.arrive_by + dt.timedelta(hours=1), resolved_at=d1.resolve_by - dt.timedelta(minutes=1))
    Dispatch.objects.filter(pk=d2.pk).update(status="responded", responded_at=d2.respond_by + dt.timedelta(minutes=10))
    Rating.objects.create(dispatch=d1, speed=5, attitude=4, result=3, rated_by=wl.users["township"], at=clock.now)
    w3 = raise_one(wl, item="CS-HB-001", description="油烟")
    d3 = _lead(w3)
    dispute = services.dispatch_dispute(actor=wl.users["department_other"], dispatch_id=d3.pk, reason="不归我局")
    services.dispute_decide(actor=wl.users["establishment_office"], dispute_id=dispute.pk, decision="keep",
                            note="清单第1版明确为主体责任")
    old = raise_one(wl, description="十月的")
    Whistle.objects.filter(pk=old.pk).update(raised_at=dt.datetime(2026, 10, 30, 9, 0, tzinfo=worktime.TZ))
    return wl


def test_given_small_month_when_computing_figures_by_department_then_rates_and_disputes(november):
    rows = {r["name"]: r for r in reports.monthly_figures(viewer_for(november.users["leader"]),
                                                          dt.date(2026, 11, 1), "department")}
    zr = rows["县自然资源局"]
    assert (zr["whistles"], zr["dispatches"]) == (2, 2)
    assert zr["response_rate"] == 50.0 and zr["arrival_rate"] == 0.0 and zr["resolution_rate"] == 50.0
    assert zr["avg_rating"] == 4.0 and zr["disputes"] == 0
    hb = rows["县生态环境局"]
    assert hb["whistles"] == 1 and hb["disputes"] == 1 and hb["disputes_kept"] == 1 and hb["disputes_open"] == 0


def test_given_small_month_when_computing_figures_by_township_then_all_whistles_of_the_month(november):
    rows = reports.monthly_figures(viewer_for(november.users["leader"]), dt.date(2026, 11, 1), "township")
    assert [(r["name"], r["whistles"]) for r in rows] == [("青石镇", 3)]
    assert rows[0]["disputes"] == 1


def test_given_figures_when_many_whistles_then_query_count_constant(november, django_assert_max_num_queries):
    viewer = viewer_for(november.users["leader"])
    with django_assert_max_num_queries(4):
        reports.monthly_figures(viewer, dt.date(2026, 11, 1), "department")


def test_given_other_township_when_computing_figures_then_sees_nothing_of_this_one(november):
    assert reports.monthly_figures(viewer_for(november.users["township_other"]), dt.date(2026, 11, 1),
                                   "township") == []


def test_given_month_when_opening_figures_page_then_table_chart_and_export(november, login):
    client = login(november.users["leader"])
    html = client.get("/whistles/figures/", {"month": "2026-11", "by": "department"}).content.decode()
    assert "县自然资源局" in html and 'id="figures-chart"' in html and "vendor/echarts.min.js" in html
    resp = client.get("/whistles/figures/", {"month": "2026-11", "by": "department", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    names = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert set(names) >= {"县自然资源局", "县生态环境局"}


@pytest.mark.parametrize("role", ["grid_worker", "citizen"])
def test_given_role_without_figures_when_opening_then_404(wl, login, role):
    assert login(wl.users[role]).get("/whistles/figures/").status_code == 404


def test_given_month_when_calling_figures_api_then_json_rows(november, api):
    resp = api(november.users["leader"]).get("/api/v1/whistle-figures", month="2026-11", by="township")
    assert resp.status_code == 200
    body = resp.json()
    assert body["month"] == "2026-11" and body["rows"][0]["whistles"] == 3


def test_given_anonymous_when_calling_figures_api_then_401(wl, api):
    assert api(None).get("/api/v1/whistle-figures").status_code == 401
