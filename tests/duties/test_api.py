import io

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tiaokuai.duties import services, xlsx
from tiaokuai.duties.models import ListRelease

from .helpers import counts

NOT_OFFICE = ["department", "township", "grid_worker", "leader", "citizen"]


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


@pytest.fixture
def draft(county, office):
    return services.release_start_draft(actor=office)


def test_given_anonymous_when_reading_lists_api_then_401(county, client):
    assert client.get("/api/v1/lists/releases").status_code == 401
    assert client.get("/api/v1/lists/in-force").status_code == 401


@pytest.mark.parametrize("who", NOT_OFFICE + ["establishment_office"])
def test_given_signed_in_user_when_listing_releases_then_drafts_only_for_office(county, api, draft, who):
    client = api(county.users[who])
    resp = client.get("/api/v1/lists/releases", kind="responsibility")
    assert resp.status_code == 200
    numbers = [r["number"] for r in resp.json()]
    is_office = who == "establishment_office"
    assert numbers == ([2, 1] if is_office else [1])
    assert client.get(f"/api/v1/lists/releases/{county.release.pk}").status_code == 200
    assert client.get(f"/api/v1/lists/releases/{draft.pk}").status_code == (200 if is_office else 404)
    assert client.get(f"/api/v1/lists/releases/{draft.pk}/matters").status_code == (200 if is_office else 404)
    assert client.get(f"/api/v1/lists/releases/{draft.pk}/export").status_code == (200 if is_office else 404)


@pytest.mark.parametrize("who", NOT_OFFICE)
def test_given_not_office_when_writing_then_404_and_nothing_changes(county, api, draft, who):
    client = api(county.users[who])
    matter = draft.matters.get(code="ZR-001")
    before = counts()
    assert client.post("/api/v1/lists/releases", {"kind": "whistle"}).status_code == 404
    assert client.post(f"/api/v1/lists/releases/{draft.pk}/publish", {"effective_from": "2026-07-01"}).status_code == 404
    assert client.post(f"/api/v1/lists/releases/{draft.pk}/matters",
                       {"code": "N-1", "name": "n", "domain": "ZRZY"}).status_code == 404
    assert client.patch(f"/api/v1/lists/matters/{matter.pk}", {"name": "x"}).status_code == 404
    assert client.delete(f"/api/v1/lists/matters/{matter.pk}").status_code == 404
    assert client.delete(f"/api/v1/lists/releases/{draft.pk}").status_code == 404
    assert counts() == before


def test_given_office_when_editing_draft_and_publishing_then_diff_and_primary_follow(county, api, office, draft):
    client = api(office)
    resp = client.post(f"/api/v1/lists/releases/{draft.pk}/matters", {
        "code": "ZR-002", "name": "地质灾害隐患巡查", "domain": "ZRZY", "kind": "inspection",
        "assignments": [{"organisation": "D-ZR", "role": "primary", "duty": "组织巡查"},
                        {"organisation": "T01", "role": "coordinating", "duty": "日常巡查"}],
        "steps": [{"order": 1, "organisation": "T01", "action": "巡查发现", "time_limit_days": 1}]})
    assert resp.status_code == 201, resp.content
    assert [a["organisation"] for a in resp.json()["assignments"]] == ["D-ZR", "T01"]
    zr = draft.matters.get(code="ZR-001")
    resp = client.patch(f"/api/v1/lists/matters/{zr.pk}", {
        "name": "违法占地查处", "assignments": [{"organisation": "T01", "role": "primary", "duty": "属地查处"}]})
    assert resp.status_code == 200, resp.content
    resp = client.post(f"/api/v1/lists/releases/{draft.pk}/publish", {"effective_from": "2026-01-01"})
    assert resp.status_code == 422 and "effective_from" in resp.json()["details"]
    resp = client.post(f"/api/v1/lists/releases/{draft.pk}/publish", {"effective_from": "2026-07-01"})
    assert resp.status_code == 200 and resp.json()["status"] == "published"
    resp = client.get("/api/v1/lists/diff", **{"from": county.release.pk, "to": draft.pk})
    body = resp.json()
    assert [m["code"] for m in body["added"]] == ["ZR-002"]
    assert [c["code"] for c in body["changed"]] == ["ZR-001"]
    reader = api(county.users["township"])
    assert reader.get("/api/v1/lists/primary", matter="ZR-001", on="2026-06-30").json()["organisation"] == "D-ZR"
    assert reader.get("/api/v1/lists/primary", matter="ZR-001", on="2026-07-01").json()["organisation"] == "T01"
    assert reader.get("/api/v1/lists/primary", matter="ZR-001", on="2025-01-01").status_code == 404
    codes = [m["code"] for m in reader.get("/api/v1/lists/in-force", on="2026-07-02", domain="ZRZY").json()]
    assert codes == ["ZR-001", "ZR-002"]
    assert [m["code"] for m in reader.get("/api/v1/lists/in-force", on="2026-03-01", q="油烟").json()] == ["HB-001"]


def test_given_published_version_when_office_edits_via_api_then_409_and_nothing_changes(county, api, office):
    client = api(office)
    matter = county.release.matters.get(code="ZR-001")
    before = counts()
    assert client.patch(f"/api/v1/lists/matters/{matter.pk}", {"name": "x"}).status_code == 409
    assert client.delete(f"/api/v1/lists/matters/{matter.pk}").status_code == 409
    assert client.post(f"/api/v1/lists/releases/{county.release.pk}/matters",
                       {"code": "N-1", "name": "n", "domain": "ZRZY"}).status_code == 409
    assert client.post(f"/api/v1/lists/releases/{county.release.pk}/publish",
                       {"effective_from": "2027-01-01"}).status_code == 409
    assert counts() == before


def test_given_second_draft_when_started_via_api_then_409(county, api, office, draft):
    assert api(office).post("/api/v1/lists/releases", {"kind": "responsibility"}).status_code == 409


def uploader(user):
    client = Client()
    token = client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                        content_type="application/json").json()["token"]

    def upload(release, content):
        return client.post(f"/api/v1/lists/releases/{release.pk}/import",
                           {"file": io.BytesIO(content)}, headers={"Authorization": f"Bearer {token}"})

    return upload


def test_given_exported_xlsx_when_imported_via_api_then_ok_and_bad_file_gives_422_rows(county, api, office, draft):
    resp = api(office).get(f"/api/v1/lists/releases/{county.release.pk}/export")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    upload, other = uploader(office), uploader(county.users["department"])
    resp = upload(draft, resp.content)
    assert resp.status_code == 200 and resp.json()["matters"] == 3
    before = counts()
    resp = upload(draft, b"garbage")
    assert resp.status_code == 422 and resp.json()["details"]["rows"]
    assert other(draft, xlsx.export_release(county.release)).status_code == 404
    assert counts() == before
    assert ListRelease.objects.get(pk=draft.pk).status == "draft"
