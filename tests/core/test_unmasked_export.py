"""Bulk export of unmasked personal data is its own permission (core.export_unmasked, granted to a named account),
needs a purpose and is audited with the row count; without it the unmasked export is refused (403, Chinese) and
nothing is written. Masked exports stay open to whoever sees the list."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from tiaokuai.core.models import AuditEvent
from tiaokuai.whistles import services

from ..whistles.test_views import make_whistle_list

PHONE, ID = "13912345678", "110101199001011234"
CJK = re.compile(r"[\u4e00-\u9fff]")


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="export_unmasked", content_type__app_label="core"))


def cells(resp):
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats"), resp.content[:200]
    return [str(c) for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)
            for c in row if c is not None]


def exports():
    return AuditEvent.objects.filter(action="core.export_unmasked")


@pytest.fixture
def whistle(county):
    make_whistle_list(county)
    return services.whistle_raise(actor=county.users["township"], item_code="CS-ZR-001",
                                  village_code=county.villages[0].code, description=f"当事人电话{PHONE}")


def test_given_no_permission_when_exporting_people_unmasked_then_403_in_chinese_and_nothing_written(county, login):
    c = login(county.users["establishment_office"])
    masked = cells(c.get("/org/people/", {"format": "xlsx"}))
    assert "110101********1234" in masked and ID not in masked
    resp = c.get("/org/people/", {"format": "xlsx", "unmasked": "1", "purpose": "核对"})
    assert resp.status_code == 403 and CJK.search(resp.content.decode())
    assert not resp["Content-Type"].startswith("application/vnd") and not exports().exists()
    assert 'id="unmasked-export"' not in c.get("/org/people/").content.decode()


def test_given_the_permission_when_exporting_people_unmasked_then_full_numbers_and_audited(county, login):
    office = county.users["establishment_office"]
    grant(office)
    c = login(office)
    assert 'id="unmasked-export"' in c.get("/org/people/").content.decode()
    resp = c.get("/org/people/", {"format": "xlsx", "unmasked": "1"})  # no purpose: refused, nothing written
    assert resp.status_code == 422 and not exports().exists()
    data = cells(c.get("/org/people/", {"format": "xlsx", "unmasked": "1", "purpose": "年度编制核查"}))
    assert ID in data
    event = exports().get()
    rows = load_workbook(io.BytesIO(c.get("/org/people/", {"format": "xlsx"}).content)).active.max_row - 1
    assert rows > 0 and event.actor == office and event.object_id == "org.people"
    assert event.after["rows"] == rows and event.after["purpose"] == "年度编制核查"


def test_given_the_permission_when_exporting_whistles_unmasked_then_description_in_full_and_audited(
        county, login, whistle):
    c = login(county.users["establishment_office"])
    masked = cells(c.get("/whistles/", {"format": "xlsx"}))
    assert any("139****5678" in x for x in masked) and not any(PHONE in x for x in masked)
    assert c.get("/whistles/", {"format": "xlsx", "unmasked": "1", "purpose": "x"}).status_code == 403
    assert not exports().exists()
    grant(county.users["establishment_office"])
    c = login(county.users["establishment_office"])
    full = cells(c.get("/whistles/", {"format": "xlsx", "unmasked": "1", "purpose": "专项督查", "status": "open"}))
    assert any(PHONE in x for x in full)
    event = exports().get()
    assert event.object_id == "whistles.list" and event.after["rows"] == 1 and event.after["filters"]["status"] == "open"


def test_given_the_api_when_listing_unmasked_then_permission_purpose_and_audit(county, api, whistle):
    office = county.users["establishment_office"]
    client = api(office)
    resp = client.get("/api/v1/people", unmasked="true", purpose="核对")
    assert resp.status_code == 403 and resp.json()["code"] == "unmasked_export_forbidden"
    assert CJK.search(resp.json()["message"])
    assert client.get("/api/v1/whistles", unmasked="true", purpose="核对").status_code == 403
    assert not exports().exists()
    grant(office)
    assert client.get("/api/v1/people", unmasked="true").status_code == 422
    rows = client.get("/api/v1/people", unmasked="true", purpose="核对").json()
    assert any(r["id_number"] == ID for r in rows) and not any(r["masked"] for r in rows)
    listed = client.get("/api/v1/whistles", unmasked="true", purpose="核对").json()
    assert any(PHONE in w["description"] for w in listed)
    assert sorted(exports().values_list("object_id", "after__rows")) == sorted(
        [("org.people", len(rows)), ("whistles.list", len(listed))])


def test_the_export_reads_as_a_chinese_sentence(county, login):
    from tiaokuai.core import timeline

    grant(county.users["establishment_office"])
    login(county.users["establishment_office"]).get("/org/people/", {"format": "xlsx", "unmasked": "1",
                                                                     "purpose": "核对"})
    entry = timeline.render(exports())[0]
    assert CJK.search(entry.sentence) and not re.search(r"[A-Za-z]{4,}", entry.sentence), entry.sentence
