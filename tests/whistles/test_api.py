"""Whistle API: exact shapes, error codes, access matrix."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tiaokuai.core.models import AuditEvent
from tiaokuai.whistles.models import Dispatch, Whistle

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(c, **kw):
    return {"item": "CS-HB-01", "village": c.villages[0].code, "description": "饭店油烟直排", "urgency": "normal", **kw}


def test_given_items_in_force_when_listing_then_code_name_domain_class(wcounty, api):
    resp = api(wcounty.users["township"]).get("/api/v1/whistle-items")
    assert resp.status_code == 200
    first = resp.json()[0]
    assert {k: first[k] for k in ("code", "name", "domain", "class")} == {
        "code": "CS-HB-01", "name": "企业油烟扬尘污染群众反映强烈需执法监测", "domain": "STHJ", "class": "should"}


def test_given_township_when_posting_a_whistle_then_201_with_dispatches(wcounty, api, clock):
    resp = api(wcounty.users["township"]).post("/api/v1/whistles", body(wcounty, grid=wcounty.grids[0].code,
                                                                        latitude=30.1, longitude=120.2))
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["status"] == "open" and isinstance(data["id"], int)
    assert [(d["organisation"], d["role"], d["status"]) for d in data["dispatches"]] == [
        ("D-HB", "lead", "dispatched"), ("D-SJ", "assist", "dispatched")]
    keys = {"id", "organisation", "role", "status", "respond_by", "arrive_by", "resolve_by", "overdue",
            "escalation_level"}
    assert keys <= set(data["dispatches"][0])
    assert data["dispatches"][0]["overdue"] is False and data["dispatches"][0]["escalation_level"] == 0
    detail = api(wcounty.users["township"]).get(f"/api/v1/whistles/{data['id']}").json()
    assert {k: v for k, v in detail.items() if k not in ("timeline", "masked")} == data
    assert [(e["action"], e["actor"]) for e in detail["timeline"]] == [("whistles.raise", "qingshi")]
    assert set(detail["timeline"][0]) >= {"action", "actor", "at"}


def test_given_bad_codes_when_posting_then_422_with_field_errors_and_nothing_created(wcounty, api):
    town = api(wcounty.users["township"])
    before = (Whistle.objects.count(), AuditEvent.objects.count())
    resp = town.post("/api/v1/whistles", body(wcounty, item="NOPE", village="000"))
    assert resp.status_code == 422
    assert set(resp.json()["details"]) == {"item", "village"}
    resp = town.post("/api/v1/whistles", {"village": wcounty.villages[0].code})
    assert resp.status_code == 422 and "description" in resp.json()["details"]
    assert (Whistle.objects.count(), AuditEvent.objects.count()) == before


def test_access_matrix_for_raise_and_read(wcounty, api):
    assert api(None).post("/api/v1/whistles", body(wcounty)).status_code == 401
    assert api(wcounty.users["department"]).post("/api/v1/whistles", body(wcounty)).status_code == 404
    wid = api(wcounty.users["township"]).post("/api/v1/whistles", body(wcounty)).json()["id"]
    assert api(None).get(f"/api/v1/whistles/{wid}").status_code == 401
    assert api(wcounty.users["township_other"]).get(f"/api/v1/whistles/{wid}").status_code == 404
    assert api(wcounty.users["department"]).get(f"/api/v1/whistles/{wid}").status_code == 404  # not called
    assert api(wcounty.users["department_other"]).get(f"/api/v1/whistles/{wid}").status_code == 200
    assert api(wcounty.users["establishment_office"]).get(f"/api/v1/whistles/{wid}").status_code == 200
    assert [w["id"] for w in api(wcounty.users["township_other"]).get("/api/v1/whistles").json()] == []
    assert [w["id"] for w in api(wcounty.users["department_other"]).get("/api/v1/whistles").json()] == [wid]


def test_given_dispatch_when_acting_through_the_api_then_200_409_404(wcounty, api):
    data = api(wcounty.users["township"]).post("/api/v1/whistles", body(wcounty)).json()
    lead = data["dispatches"][0]["id"]
    hb = api(wcounty.users["department_other"])
    assert api(wcounty.users["department"]).post(f"/api/v1/dispatches/{lead}/actions/respond").status_code == 404
    assert api(None).post(f"/api/v1/dispatches/{lead}/actions/respond").status_code == 401
    resp = hb.post(f"/api/v1/dispatches/{lead}/actions/respond")
    assert resp.status_code == 200 and resp.json()["dispatches"][0]["status"] == "responded"
    again = hb.post(f"/api/v1/dispatches/{lead}/actions/respond")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert hb.post(f"/api/v1/dispatches/{lead}/actions/arrive", {}).status_code == 422
    assert hb.post(f"/api/v1/dispatches/{lead}/actions/arrive", {"people": "赵环保等3人"}).status_code == 200
    assert hb.post(f"/api/v1/dispatches/{lead}/actions/resolve", {"outcome": "x"}).status_code == 422
    resp = hb.post(f"/api/v1/dispatches/{lead}/actions/resolve", {"outcome": "resolved", "note": "已整改"})
    assert resp.status_code == 200 and resp.json()["dispatches"][0]["status"] == "resolved"
    assert hb.post(f"/api/v1/dispatches/{lead}/actions/fly").status_code == 404


def test_given_full_flow_through_the_api_when_township_confirms_rates_closes_reopens(wcounty, api):
    from tests.factories import make_user

    station = make_user("sj", "孙市场", wcounty.departments["D-SJ"], "department")
    town = api(wcounty.users["township"])
    data = town.post("/api/v1/whistles", body(wcounty)).json()
    wid = data["id"]
    for d, user in zip(data["dispatches"], [wcounty.users["department_other"], station], strict=True):
        c = api(user)
        for action, payload in [("respond", {}), ("arrive", {"people": "2人"}), ("resolve", {"outcome": "resolved"})]:
            assert c.post(f"/api/v1/dispatches/{d['id']}/actions/{action}", payload).status_code == 200
    assert town.get(f"/api/v1/whistles/{wid}").json()["status"] == "resolved"
    assert town.post(f"/api/v1/whistles/{wid}/actions/close").status_code == 409
    assert town.post(f"/api/v1/whistles/{wid}/actions/return", {"reason": "未整改到位",
                                                               "dispatches": [data["dispatches"][0]["id"]]}
                     ).json()["status"] == "open"
    c = api(wcounty.users["department_other"])
    lead = data["dispatches"][0]["id"]
    c.post(f"/api/v1/dispatches/{lead}/actions/arrive", {"people": "2人"})
    c.post(f"/api/v1/dispatches/{lead}/actions/resolve", {"outcome": "resolved"})
    assert town.post(f"/api/v1/whistles/{wid}/actions/confirm").json()["status"] == "confirmed"
    ratings = [{"dispatch_id": d["id"], "speed": 5, "attitude": 5, "result": 4} for d in data["dispatches"]]
    assert town.post(f"/api/v1/whistles/{wid}/actions/rate", {"ratings": ratings}).status_code == 200
    assert town.post(f"/api/v1/whistles/{wid}/actions/rate", {"ratings": ratings}).status_code == 409
    assert town.post(f"/api/v1/whistles/{wid}/actions/close").json()["status"] == "closed"
    assert town.post(f"/api/v1/whistles/{wid}/actions/reopen", {}).status_code == 422
    assert town.post(f"/api/v1/whistles/{wid}/actions/reopen", {"reason": "又有油烟"}).json()["status"] == "open"
    actions = [e["action"] for e in town.get(f"/api/v1/whistles/{wid}").json()["timeline"]]
    assert actions[0] == "whistles.raise" and "whistles.rate" in actions
    # The whistle reopens, then each finished body is called again (one event per state change).
    assert "whistles.reopen" in actions and actions[-1] == "whistles.dispatch_reopen"


def test_given_dispute_when_office_lists_and_decides_through_the_api(wcounty, api):
    data = api(wcounty.users["township"]).post("/api/v1/whistles", body(wcounty)).json()
    lead = data["dispatches"][0]["id"]
    resp = api(wcounty.users["department_other"]).post(f"/api/v1/dispatches/{lead}/actions/dispute",
                                                       {"reason": "依清单，属市场监管职责"})
    assert resp.status_code == 200 and resp.json()["dispatches"][0]["status"] == "disputed"
    office = api(wcounty.users["establishment_office"])
    disputes = office.get("/api/v1/disputes").json()
    assert [(x["dispatch"], x["organisation"], x["status"]) for x in disputes] == [(lead, "D-HB", "open")]
    assert api(wcounty.users["township"]).get("/api/v1/disputes").json() == []
    assert api(wcounty.users["township"]).post(f"/api/v1/disputes/{disputes[0]['id']}/decide",
                                               {"decision": "keep"}).status_code == 404
    bad = office.post(f"/api/v1/disputes/{disputes[0]['id']}/decide", {"decision": "reroute", "organisation": "XX"})
    assert bad.status_code == 422 and "organisation" in bad.json()["details"]
    resp = office.post(f"/api/v1/disputes/{disputes[0]['id']}/decide",
                       {"decision": "reroute", "organisation": "D-ZR", "note": "改派自然资源局"})
    assert resp.status_code == 200 and resp.json()["status"] == "rerouted" and resp.json()["new_organisation"] == "D-ZR"
    assert Dispatch.objects.get(pk=lead).status == "withdrawn"


def test_given_routing_whistle_when_office_routes_through_the_api(wcounty, api):
    data = api(wcounty.users["township"]).post("/api/v1/whistles", body(wcounty, item=None)).json()
    assert data["status"] == "routing" and data["dispatches"] == []
    resp = api(wcounty.users["establishment_office"]).post(f"/api/v1/whistles/{data['id']}/route",
                                                           {"lead": "D-ZR", "assist": ["D-HB"]})
    assert resp.status_code == 200
    assert [(d["organisation"], d["role"]) for d in resp.json()["dispatches"]] == [("D-ZR", "lead"), ("D-HB", "assist")]


def test_given_photos_when_uploading_multipart_then_images_only(wcounty, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    town = api(wcounty.users["township"])
    wid = town.post("/api/v1/whistles", body(wcounty)).json()["id"]
    resp = town.client.post(f"/api/v1/whistles/{wid}/attachments",
                            {"files": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]},
                            headers=town.headers)
    assert resp.status_code == 201, resp.content
    assert resp.json()[0]["content_type"] == "image/png"
    resp = town.client.post(f"/api/v1/whistles/{wid}/attachments",
                            {"files": [SimpleUploadedFile("a.png", b"<html>", content_type="image/png")]},
                            headers=town.headers)
    assert resp.status_code == 422
    other = api(wcounty.users["township_other"])
    resp = other.client.post(f"/api/v1/whistles/{wid}/attachments",
                             {"files": [SimpleUploadedFile("a.png", PNG)]}, headers=other.headers)
    assert resp.status_code == 404


def test_given_more_whistles_than_a_page_when_following_the_cursor_then_every_one_once_in_order(wcounty, api):
    town = api(wcounty.users["township"])
    for i in range(5):
        assert town.post("/api/v1/whistles", body(wcounty, description=f"第{i}处油烟")).status_code == 201
    expected = list(Whistle.objects.order_by("-raised_at", "-id").values_list("pk", flat=True))
    office = api(wcounty.users["establishment_office"])
    seen, cursor, pages = [], None, 0
    while True:
        resp = office.get("/api/v1/whistles", limit=2, **({"cursor": cursor} if cursor else {}))
        assert resp.status_code == 200
        seen += [w["id"] for w in resp.json()]
        pages += 1
        cursor = resp.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert seen == expected and pages == 3
    # The same window by offset carries the cursor too; a cursor that is not ours is 422, not a server error.
    assert office.get("/api/v1/whistles", limit=2, offset=2).json()[0]["id"] == expected[2]
    assert office.get("/api/v1/whistles", limit=5).headers.get("X-Next-Cursor") is None
    bad = office.get("/api/v1/whistles", cursor="not-a-cursor")
    assert bad.status_code == 422 and "cursor" in bad.json()["details"]


@pytest.mark.parametrize("deferred_from", [0, 1_000_000])
def test_given_a_deep_offset_when_listing_then_the_window_and_its_cursor_are_those_of_the_plain_offset(
        wcounty, api, monkeypatch, deferred_from):
    """Deep offsets find the window's ids first and read those rows whole (core.paging.keyset_at): the same rows,
    in the same order, with the same next cursor, as the plain OFFSET."""
    from tiaokuai.core import paging

    monkeypatch.setattr(paging, "DEFERRED_JOIN_FROM", deferred_from)
    town = api(wcounty.users["township"])
    for i in range(6):
        assert town.post("/api/v1/whistles", body(wcounty, description=f"第{i}处油烟")).status_code == 201
    expected = list(Whistle.objects.order_by("-raised_at", "-id").values_list("pk", flat=True))
    office = api(wcounty.users["establishment_office"])
    resp = office.get("/api/v1/whistles", limit=3, offset=2)
    assert [w["id"] for w in resp.json()] == expected[2:5]
    follow = office.get("/api/v1/whistles", limit=3, cursor=resp.headers["X-Next-Cursor"])
    assert [w["id"] for w in follow.json()] == expected[5:]
    assert office.get("/api/v1/whistles", limit=3, offset=6).json() == []
