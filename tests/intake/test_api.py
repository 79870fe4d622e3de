"""The request API (/api/v1/): from the hotline to closing and callback; masked personal data and the audited
reveal; the access matrix and bad input give {code, message, details} and change nothing."""

import pytest

from tiaokuai.core.models import AuditEvent
from tiaokuai.intake.models import Request

pytestmark = pytest.mark.django_db


def count():
    return Request.objects.count(), AuditEvent.objects.filter(action__startswith="intake.").count()


def test_given_the_api_when_a_request_goes_from_the_hotline_to_the_callback_then_each_step_answers(rcounty, api):
    op, dept = api(rcounty.users["operator"]), api(rcounty.users["department"])
    resp = op.post("/api/v1/requests", {"channel": "hotline", "description": "耕地上建房", "matter": "ZR-001",
                                        "village": rcounty.villages[0].code, "citizen_name": "李四",
                                        "citizen_phone": "13900001111"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "dispatched" and body["citizen_phone"] == "139****1111" and body["citizen_name"] == "李*"
    rid, did = body["id"], body["dispatches"][0]["id"]
    assert [d["id"] for d in dept.get("/api/v1/request-dispatches").json()] == [did]
    assert dept.post(f"/api/v1/request-dispatches/{did}/accept").json()["status"] == "accepted"
    assert dept.post(f"/api/v1/request-dispatches/{did}/resolve", {"outcome": "resolved", "note": "已拆除"}).json()[
        "status"] == "resolved"
    assert op.post(f"/api/v1/requests/{rid}/close").json()["status"] == "closed"
    detail = op.post(f"/api/v1/requests/{rid}/callback", {"satisfaction": "satisfied"}).json()
    assert detail["satisfaction"] == "satisfied" and detail["timeline"][-1]["text"].startswith("县委编办 周领导 回访群众")
    assert op.post(f"/api/v1/requests/{rid}/reveal").status_code == 422  # a reveal needs its purpose
    assert op.post(f"/api/v1/requests/{rid}/reveal", {"purpose": "回访核实"}).json() == {
        "citizen_name": "李四", "citizen_phone": "13900001111"}
    assert AuditEvent.objects.filter(action="intake.reveal").count() == 1
    # and the month's figures count it, as the figures page does
    from django.utils import timezone

    figures = op.get(f"/api/v1/request-figures?month={timezone.localdate():%Y-%m}&by=channel").json()
    (row,) = figures["rows"]
    assert row["name"] == "热线电话" and (row["requests"], row["answered"], row["resolved"], row["callbacks"], row["satisfied"], row["rate"]) == (
        1, 1, 1, 1, 1, 100.0)


def test_given_the_access_matrix_then_404_or_401_and_nothing_changes(rcounty, api):
    op = api(rcounty.users["operator"])
    rid = op.post("/api/v1/requests", {"description": "耕地上建房", "matter": "ZR-001", "village": rcounty.villages[0].code,
                                       "citizen_phone": "13900001111"}).json()["id"]
    before = count()
    assert api(None).get(f"/api/v1/requests/{rid}").status_code == 401
    for who in ("department_other", "township_other", "citizen"):
        resp = api(rcounty.users[who]).get(f"/api/v1/requests/{rid}")
        assert resp.status_code == 404 and resp.json()["code"] == "not_found"
        assert api(rcounty.users[who]).post(f"/api/v1/requests/{rid}/reveal", {"purpose": "x"}).status_code == 404
    assert api(rcounty.users["township"]).post("/api/v1/requests", {
        "description": "x", "village": rcounty.villages[0].code, "citizen_phone": "13900001111"}).status_code == 404
    assert count() == before


def test_given_bad_input_then_422_with_per_field_messages_and_nothing_changes(rcounty, api):
    op = api(rcounty.users["operator"])
    before = count()
    resp = op.post("/api/v1/requests", {"description": "", "village": "x" * 40})
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    resp = op.post("/api/v1/requests", {"description": "耕地", "village": "nope", "kind": "x", "citizen_phone": "1"})
    assert resp.status_code == 422 and "kind" in resp.json()["details"]  # the form's choices, refused by the schema
    resp = op.post("/api/v1/requests", {"description": "耕地", "village": "nope", "citizen_phone": "1"})
    assert resp.status_code == 422 and {"village", "citizen_phone"} <= set(resp.json()["details"])
    assert op.get("/api/v1/requests/99999999999999999999").status_code == 422
    assert count() == before
