import pytest

from tests.org.helpers import counts, quota, staff
from tiaokuai.core.models import AuditEvent
from tiaokuai.org.models import Certificate, Organisation, Person, StaffAssignment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/api/v1/organisations/T01", "/api/v1/staffing",
                                  "/api/v1/people", "/api/v1/certificates"])
def test_given_anonymous_when_reading_then_401(county, api, path):
    resp = api(None).get(path)
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthorized"


@pytest.mark.parametrize("path,body", [
    ("/api/v1/organisations", {"code": "X", "name": "x", "kind": "county_department", "division": "330000"}),
    ("/api/v1/assignments", {"person_id": 1, "organisation": "T01", "kind": "administrative", "post": "x"}),
    ("/api/v1/certificates", {"holder_id": 1, "number": "X", "domains": ["ZRZY"], "issued_on": "2026-01-01",
                              "expires_on": "2027-01-01"}),
])
def test_given_anonymous_when_writing_then_401_and_nothing_changes(county, api, path, body):
    before = counts()
    assert api(None).post(path, body).status_code == 401
    assert counts() == before


def test_given_other_township_unit_when_fetched_then_404(county, api):
    client = api(county.users["township"])
    assert client.get("/api/v1/organisations/T02").status_code == 404
    assert client.get("/api/v1/organisations/NOPE").status_code == 404
    assert client.get("/api/v1/staffing", scope="township", code="330002").status_code == 404


def test_given_department_when_fetching_own_unit_then_staffing_shown(county, api):
    quota(county.departments["D-ZR"], 5, leadership=1)
    staff(county.departments["D-ZR"], 6)
    body = api(county.users["department"]).get("/api/v1/organisations/D-ZR").json()
    assert body["staffing"]["kinds"]["administrative"] == {"approved": 5, "actual": 6, "vacancy": 0, "over": 1,
                                                           "state": "over"}
    assert len(body["staff"]) == 6


def test_given_department_when_fetching_other_department_then_facts_only(county, api):
    body = api(county.users["department"]).get("/api/v1/organisations/D-HB").json()
    assert body["code"] == "D-HB" and body["staffing"] is None and body["staff"] == []


def test_given_office_when_listing_organisations_then_sees_all_and_filters_work(county, api):
    client = api(county.users["establishment_office"])
    assert len(client.get("/api/v1/organisations").json()) == Organisation.objects.count()
    assert [o["code"] for o in client.get("/api/v1/organisations", kind="township").json()] == ["T01", "T02"]
    assert [o["code"] for o in client.get("/api/v1/organisations", within="330002").json()] == ["T02", "T02-01"]


def test_given_township_when_listing_organisations_then_no_other_township_units(county, api):
    rows = api(county.users["township"]).get("/api/v1/organisations").json()
    assert not {"T02", "T02-01"} & {o["code"] for o in rows}


def test_given_office_when_creating_and_patching_organisation_then_audited_and_timeline_grows(county, api):
    client = api(county.users["establishment_office"])
    resp = client.post("/api/v1/organisations", {"code": "T01-PI", "name": "青石镇便民服务中心",
                                                 "kind": "public_institution", "division": "330001",
                                                 "parent": "T01"})
    assert resp.status_code == 201, resp.content
    resp = client.patch("/api/v1/organisations/T01-PI", {"short_name": "便民中心"})
    assert resp.status_code == 200 and resp.json()["short_name"] == "便民中心"
    org = Organisation.objects.get(code="T01-PI")
    assert list(AuditEvent.objects.filter(object_id=str(org.pk), object_type="org.organisation")
                .values_list("action", flat=True)) == ["org.organisation.create", "org.organisation.update"]


def test_given_invalid_organisation_when_posted_then_422_per_field(county, api):
    client = api(county.users["establishment_office"])
    resp = client.post("/api/v1/organisations", {"code": "X", "kind": "township_office", "division": "330000"})
    assert resp.status_code == 422 and "name" in resp.json()["details"]
    resp = client.post("/api/v1/organisations", {"code": "X", "name": "x", "kind": "township_office",
                                                 "division": "999"})
    assert resp.status_code == 422 and "division" in resp.json()["details"]


@pytest.mark.parametrize("who", ["township", "department", "leader"])
def test_given_not_office_when_patching_then_404_and_unchanged(county, api, who):
    client = api(county.users[who])
    before = counts()
    resp = client.patch("/api/v1/organisations/D-ZR", {"name": "改"})
    assert resp.status_code == 404
    assert counts() == before and Organisation.objects.get(code="D-ZR").name == "县自然资源局"


def test_given_office_when_assigning_over_establishment_then_201_flagged_and_second_slot_conflict(county, api):
    client = api(county.users["establishment_office"])
    quota(county.township_orgs[1], 0)
    p = Person.objects.get(name="陈白云")
    resp = client.post("/api/v1/assignments", {"person_id": p.pk, "organisation": "T02",
                                               "kind": "administrative", "post": "乡长", "is_leadership": True})
    assert resp.status_code == 201, resp.content
    assert resp.json()["over_establishment"] is True and resp.json()["over_leadership"] is True
    before = counts()
    resp = client.post("/api/v1/assignments", {"person_id": p.pk, "organisation": "T01",
                                               "kind": "administrative", "post": "科员"})
    assert resp.status_code == 409 and resp.json()["code"] == "already_assigned"
    assert counts() == before


def test_given_township_when_assigning_then_404_and_nothing_changes(county, api):
    township = api(county.users["township"])
    before = counts()
    p = Person.objects.get(name="张青石")
    resp = township.post("/api/v1/assignments", {
        "person_id": p.pk, "organisation": "T01", "kind": "administrative", "post": "科员"})
    assert resp.status_code == 404
    assert counts() == before


def test_given_current_assignment_when_ended_via_api_then_200_then_409(county, api):
    [a] = staff(county.township_orgs[0], 1)
    client = api(county.users["establishment_office"])
    resp = client.post(f"/api/v1/assignments/{a.pk}/end", {"ended_on": "2026-10-31", "reason": "退休"})
    assert resp.status_code == 200 and resp.json()["ended_on"] == "2026-10-31"
    assert client.post(f"/api/v1/assignments/{a.pk}/end", {}).status_code == 409
    assert api(county.users["township"]).post(f"/api/v1/assignments/{a.pk}/end", {}).status_code == 404
    assert StaffAssignment.objects.get(pk=a.pk).end_reason == "退休"


def test_staffing_api_rollup_numbers(county, api):
    quota(county.township_orgs[0], 2)
    staff(county.township_orgs[0], 3)
    quota(county.offices[0], 4)
    staff(county.offices[0], 1)
    body = api(county.users["township"]).get("/api/v1/staffing", scope="township", code="330001").json()
    adm = body["totals"]["kinds"]["administrative"]
    assert (adm["approved"], adm["actual"], adm["over"], adm["vacancy"]) == (6, 4, 1, 3)
    units = {u["code"]: u["staffing"]["state"] for u in body["units"]}
    assert units == {"D-SJ-01": "ok", "T01": "over", "T01-01": "vacant"}
    county_body = api(county.users["establishment_office"]).get("/api/v1/staffing").json()
    assert county_body["institutions"]["limit"] == 35
    assert {g["code"] for g in county_body["groups"]} == {"", "330001", "330002"}


def test_given_township_when_listing_people_then_masked_and_office_unmasked_and_audited(county, api):
    rows = api(county.users["township"]).get("/api/v1/people").json()
    assert {r["phone"] for r in rows} == {"138****0000"} and all(r["masked"] for r in rows)
    p = Person.objects.get(name="张青石")
    assert api(county.users["township_other"]).get(f"/api/v1/people/{p.pk}").status_code == 404
    office = api(county.users["establishment_office"])
    assert all(r["masked"] and "****" in r["phone"] for r in office.get("/api/v1/people", limit=1000).json())
    before = AuditEvent.objects.filter(action="org.person.view_personal_data").count()
    assert office.get(f"/api/v1/people/{p.pk}").json()["masked"] is True  # masked by default, nothing audited
    assert office.get(f"/api/v1/people/{p.pk}", reveal="true").status_code == 422  # a reveal needs its purpose
    assert AuditEvent.objects.filter(action="org.person.view_personal_data").count() == before
    body = office.get(f"/api/v1/people/{p.pk}", reveal="true", purpose="核对编制").json()
    assert body["id_number"] == "110101199001011234" and body["masked"] is False
    events = AuditEvent.objects.filter(action="org.person.view_personal_data")
    assert events.count() == before + 1 and events.last().after == {"fields": ["id_number", "phone"], "purpose": "核对编制"}
    township = api(county.users["township"]).get(f"/api/v1/people/{p.pk}", reveal="true", purpose="x").json()
    assert township["masked"] is True and events.count() == before + 1


def test_certificates_api_issue_filter_and_refusals(county, api):
    office = api(county.users["establishment_office"])
    p = Person.objects.get(name="张青石")
    body = {"holder_id": p.pk, "number": "ZF-1", "domains": ["ZRZY", "SCJG"], "issued_on": "2021-01-01",
            "expires_on": "2022-01-01"}
    resp = office.post("/api/v1/certificates", body)
    assert resp.status_code == 201 and resp.json()["state"] == "expired"
    assert [c["number"] for c in office.get("/api/v1/certificates", state="expired").json()] == ["ZF-1"]
    assert office.get("/api/v1/certificates", state="valid").json() == []
    township = api(county.users["township"])
    before = counts()
    assert township.post("/api/v1/certificates", body | {"number": "ZF-2"}).status_code == 404
    resp = office.post("/api/v1/certificates", body | {"number": "ZF-3", "domains": ["NOPE"]})
    assert resp.status_code == 422 and "domains" in resp.json()["details"]
    assert counts() == before
    assert Certificate.objects.count() == 1
    assert [c["number"] for c in township.get("/api/v1/certificates").json()] == ["ZF-1"]
    assert api(county.users["township_other"]).get("/api/v1/certificates").json() == []


def test_divisions_api_still_returns_code_and_name(county, api):
    rows = api(county.users["department"]).get("/api/v1/divisions", level="township").json()
    assert [(r["code"], r["name"]) for r in rows] == [("330001", "青石镇"), ("330002", "白云乡")]


@pytest.mark.parametrize("path", ["/api/v1/certificates", "/api/v1/organisations", "/api/v1/people",
                                  "/api/v1/divisions"])
def test_given_a_registry_list_when_walked_by_cursor_then_every_row_once_as_in_one_page(county, api, path):
    import datetime as dt

    from tiaokuai.org.models import Domain

    staff(county.departments["D-ZR"], 4)
    for i, p in enumerate(Person.objects.order_by("pk")[:5]):
        c = Certificate.objects.create(holder=p, number=f"ZF-{i}", issued_on=dt.date(2025, 1, 1),
                                       expires_on=dt.date(2027, 1, 1 + i % 2))  # ties on expires_on: by id
        c.domains.set(Domain.objects.order_by("code")[: 1 + i % 3])
    client = api(county.users["establishment_office"])
    whole = client.get(path, limit=500).json()
    walked, cursor = [], None
    while True:
        resp = client.get(path, limit=2, **({"cursor": cursor} if cursor else {}))
        walked += resp.json()
        cursor = resp.headers.get("X-Next-Cursor")
        if not cursor:
            break

    assert len(whole) >= 3 and walked == whole
    if path == "/api/v1/certificates":
        assert [len(c["domains"]) for c in whole] != [1] * len(whole)
        assert all(c["domains"] == sorted(c["domains"]) for c in whole)
