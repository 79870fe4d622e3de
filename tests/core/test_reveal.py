"""Phone and ID numbers typed into free text are masked on every page, export and API answer; a party that needs
them reveals one record with a stated purpose through the one audited reveal (core.personal.record_reveal), which
serves whistles and people alike."""

import io

import pytest
from openpyxl import load_workbook

from tiaokuai.core import timeline
from tiaokuai.core.errors import Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.core.personal import mask_data, record_reveal
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispute

from ..whistles.test_views import make_whistle_list

PHONE, ID = "13912345678", "110101199001011234"
TEXT = f"村口违法建房，联系人电话{PHONE}，身份证{ID}"


@pytest.fixture
def whistle(county):
    make_whistle_list(county)
    return services.whistle_raise(actor=county.users["township"], item_code="CS-ZR-001",
                                  village_code=county.villages[0].code, description=TEXT)


def reveals():
    return AuditEvent.objects.filter(action="core.reveal")


def test_given_numbers_in_a_description_when_pages_show_it_then_masked_everywhere(county, login, whistle):
    d = whistle.dispatches.get()
    services.dispatch_respond(actor=county.users["department"], dispatch_id=d.pk)
    services.dispatch_add_note(actor=county.users["department"], dispatch_id=d.pk, text=f"已联系 {PHONE}")
    for who in ("township", "department", "establishment_office", "leader"):
        c = login(county.users[who])
        pages = [c.get(f"/whistles/{whistle.pk}/").content.decode(),
                 c.get(f"/whistles/{whistle.pk}/accountability/").content.decode()]
        for html in pages:
            assert PHONE not in html and ID not in html, who
        assert "139****5678" in pages[0] and "110101********1234" in pages[0]
    assert not reveals().exists()


def test_given_a_party_when_revealing_with_a_purpose_then_full_text_once_and_audited(county, login, whistle):
    c = login(county.users["township"])
    html = c.get(f"/whistles/{whistle.pk}/").content.decode()
    assert 'id="reveal-form"' in html
    html = c.get(f"/whistles/{whistle.pk}/", {"reveal": "1", "purpose": ""}).content.decode()
    assert PHONE not in html and "is-invalid" in html and not reveals().exists()  # no purpose: nothing shown
    html = c.get(f"/whistles/{whistle.pk}/", {"reveal": "1", "purpose": "回访当事人"}).content.decode()
    assert PHONE in html and ID in html
    event = reveals().get()
    assert event.actor == county.users["township"] and event.object_id == str(whistle.pk)
    assert event.after["purpose"] == "回访当事人" and "description" in event.after["fields"]
    assert PHONE not in c.get(f"/whistles/{whistle.pk}/").content.decode()  # the next view is masked again
    sentence = timeline.render([event])[0].text
    assert "回访当事人" in sentence


def test_given_a_reader_who_does_not_work_it_when_revealing_then_refused_and_nothing_written(county, login, api,
                                                                                            whistle):
    html = login(county.users["leader"]).get(f"/whistles/{whistle.pk}/", {"reveal": "1", "purpose": "看看"}).content
    assert PHONE not in html.decode() and b'id="reveal-form"' not in html
    with pytest.raises(NotFound):
        services.whistle_reveal(actor=county.users["leader"], whistle_id=whistle.pk, purpose="看看")
    with pytest.raises(NotFound):
        services.whistle_reveal(actor=county.users["township_other"], whistle_id=whistle.pk, purpose="看看")
    with pytest.raises(Invalid):
        services.whistle_reveal(actor=county.users["township"], whistle_id=whistle.pk, purpose="  ")
    assert not reveals().exists()
    assert api(county.users["leader"]).get(f"/api/v1/whistles/{whistle.pk}", reveal="true",
                                           purpose="看看").status_code == 404
    assert not reveals().exists()


def test_given_the_api_when_reading_then_masked_and_reveal_needs_a_purpose(county, api, whistle):
    dept = api(county.users["department"])
    body = dept.get(f"/api/v1/whistles/{whistle.pk}").json()
    assert body["masked"] is True and PHONE not in str(body) and ID not in str(body)  # timeline "after" too
    assert dept.get(f"/api/v1/whistles/{whistle.pk}", reveal="true").status_code == 422
    assert not reveals().exists()
    body = dept.get(f"/api/v1/whistles/{whistle.pk}", reveal="true", purpose="上门核实").json()
    assert body["masked"] is False and body["description"] == TEXT
    assert reveals().count() == 1
    listed = dept.get("/api/v1/whistles").json()
    assert all(PHONE not in w["description"] for w in listed)


def test_given_a_dispute_reason_with_a_phone_then_masked_on_the_disputes_page_and_api(county, login, api, whistle):
    d = whistle.dispatches.get()
    services.dispatch_dispute(actor=county.users["department"], dispatch_id=d.pk, reason=f"不属于本局，请联系{PHONE}")
    assert Dispute.objects.filter(reason__contains=PHONE).exists()
    html = login(county.users["establishment_office"]).get("/whistles/disputes/").content.decode()
    assert "139****5678" in html and PHONE not in html
    rows = api(county.users["establishment_office"]).get("/api/v1/disputes").json()
    assert rows and all(PHONE not in r["reason"] for r in rows)


def test_given_the_accountability_export_then_numbers_masked(county, login, whistle):
    d = whistle.dispatches.get()
    services.dispatch_dispute(actor=county.users["department"], dispatch_id=d.pk, reason=f"请联系{PHONE}")
    resp = login(county.users["establishment_office"]).get(f"/whistles/{whistle.pk}/accountability/",
                                                           {"format": "xlsx"})
    cells = [str(c) for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)
             for c in row if c]
    assert any("139****5678" in c for c in cells) and not any(PHONE in c for c in cells)


def test_record_reveal_is_the_one_mechanism_people_use_too(county, login):
    from tiaokuai.org.models import Person

    p = Person.objects.get(name="张青石")
    with pytest.raises(Invalid):
        record_reveal(actor=county.users["establishment_office"], obj=p, fields=["phone"], purpose="")
    login(county.users["establishment_office"]).get(f"/org/people/{p.pk}/", {"reveal": "1", "purpose": "核对"})
    event = AuditEvent.objects.get(action="org.person.view_personal_data")
    assert event.after == {"fields": ["id_number", "phone"], "purpose": "核对"}


def test_mask_data_masks_nested_strings():
    assert mask_data({"a": [f"电话{PHONE}", 3], "b": {"c": ID}}) == {
        "a": ["电话139****5678", 3], "b": {"c": "110101********1234"}}

