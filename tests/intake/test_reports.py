"""Monthly figures per channel, township and body, with and without the excluded outcomes; the page and xlsx."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tiaokuai.intake import reports, selectors, services

pytestmark = pytest.mark.django_db


def _flow(c, *, outcome="resolved", satisfaction="satisfied", channel="hotline"):
    op, dept = c.users["operator"], c.users["department"]
    r = services.request_submit(actor=op if channel == "hotline" else None, channel=channel, description="耕地上建房",
                                village_code=c.villages[0].code, citizen_phone="13900001111",
                                **({"matter_code": "ZR-001"} if channel == "hotline" else {}))
    if channel != "hotline":
        services.request_route(actor=op, request_id=r.pk, matter_code="ZR-001")
    d = r.dispatches.get()
    services.dispatch_accept(actor=dept, dispatch_id=d.pk)
    services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome=outcome, note="说明")
    if outcome == "unreasonable":
        services.request_confirm_outcome(actor=c.users["supervisor"], request_id=r.pk)
    else:
        services.request_close(actor=op, request_id=r.pk)
    services.request_callback(actor=op, request_id=r.pk, satisfaction=satisfaction, comment="意见")
    return r


def test_given_a_month_of_requests_then_figures_per_channel_and_body_leave_out_the_excluded_outcomes(
        rcounty, clock, login):
    _flow(rcounty)
    _flow(rcounty, outcome="unreasonable", satisfaction="unsatisfied")
    _flow(rcounty, channel="web", satisfaction="basic")
    viewer = selectors.viewer_of(rcounty.users["leader"])
    month = clock.now.date().replace(day=1)
    by_channel = {r["name"]: r for r in reports.monthly_figures(viewer, month, "channel")}
    assert by_channel["热线电话"]["requests"] == 2 and by_channel["热线电话"]["callbacks"] == 2
    assert by_channel["热线电话"]["rate"] == 100.0 and by_channel["热线电话"]["rate_all"] == 50.0
    assert by_channel["热线电话"]["excluded"] == 1 and by_channel["网上诉求"]["rate"] == 100.0
    (body,) = reports.monthly_figures(viewer, month, "department")
    assert body["name"] == "县自然资源局" and body["requests"] == 3 and body["on_time"] == 3
    (town,) = reports.monthly_figures(viewer, month, "township")
    assert town["name"] == "青石镇"
    c = login(rcounty.users["leader"])
    assert "热线电话" in c.get(reverse("intake:figures"), {"month": f"{month:%Y-%m}"}).content.decode()
    resp = c.get(reverse("intake:figures"), {"month": f"{month:%Y-%m}", "by": "department", "format": "xlsx"})
    ws = load_workbook(BytesIO(resp.content)).active
    assert ws["A2"].value == "县自然资源局" and ws["B2"].value == 3
    assert login(rcounty.users["department"]).get(reverse("intake:figures")).status_code == 404
