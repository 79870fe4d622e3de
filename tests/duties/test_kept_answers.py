"""A published release's rows and the public list's rendered matters are kept in process memory (ADR 0018):
whatever may still change — the registry's names, the language, a draft, the version in force — must show at
once."""

import datetime as dt

import pytest
from django.urls import reverse

from tiaokuai.core.memo import Keep
from tiaokuai.duties import selectors, services
from tiaokuai.duties.models import Assignment, Domain, ProcessStep
from tiaokuai.org import services as org_services


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


def _public(client, **params):
    resp = client.get(reverse("duties:public"), params)
    assert resp.status_code == 200
    return resp.content.decode()


def _matters(page):
    return page[page.index('<div id="matters">'):page.rindex("</details>")]


def test_given_public_list_seen_when_a_body_is_renamed_then_page_and_api_show_the_new_name(county, client, api,
                                                                                          office):
    reader = api(county.users["township"])
    assert "县自然资源局" in _public(client)
    assert reader.get("/api/v1/lists/in-force").json()[0]["assignments"][0]["organisation_name"] == "县自然资源局"

    org_services.organisation_update(actor=office, organisation=county.departments["D-ZR"], name="县自然资源和规划局")

    body = _public(client)
    assert "县自然资源和规划局" in body and "县自然资源局<" not in body
    answer = reader.get("/api/v1/lists/in-force").json()
    assert answer[0]["assignments"][0]["organisation_name"] == "县自然资源和规划局"


def test_given_public_list_seen_when_a_domain_is_renamed_then_its_heading_shows_the_new_name(county, client):
    before = _public(client)
    domain = county.domains["ZRZY"]
    assert f">{domain.name}</h2>" in before
    Domain.objects.filter(pk=domain.pk).update(name="自然资源和规划")

    assert ">自然资源和规划</h2>" in _public(client)


def test_given_public_list_seen_in_chinese_when_asked_in_english_then_labels_are_english(county, client):
    zh = _matters(_public(client))
    en = _matters(client.get(reverse("duties:public"), headers={"accept-language": "en"}).content.decode())

    assert "Primary" not in zh and "Legal basis" not in zh
    assert "Primary" in en and "Legal basis" in en
    assert _matters(_public(client)) == zh  # kept, and still the Chinese rendering


def test_given_a_search_when_listing_then_only_its_matters_are_rendered_and_the_full_list_stays_whole(county, client):
    assert "食品经营许可" not in _public(client, q="油烟")
    full = _public(client)
    assert all(name in full for name in ("违法占用耕地建房查处", "餐饮油烟污染投诉处理", "食品经营许可"))


def test_given_a_later_version_published_when_it_takes_effect_then_the_public_list_shows_it(county, client, office):
    assert "违法占用耕地建房查处" in _public(client)
    draft = services.release_start_draft(actor=office)
    services.matter_update(actor=office, matter_id=draft.matters.get(code="ZR-001").pk, data={"name": "违法占地查处"})
    services.release_publish(actor=office, release_id=draft.pk, effective_from=dt.date(2026, 2, 1))

    body = _public(client)
    assert "违法占地查处" in body and "违法占用耕地建房查处" not in body


def test_given_draft_matters_read_when_a_matter_changes_then_the_api_shows_the_change(county, api, office):
    draft = services.release_start_draft(actor=office)
    client = api(office)
    url = f"/api/v1/lists/releases/{draft.pk}/matters"
    assert "违法占用耕地建房查处" in [m["name"] for m in client.get(url).json()]
    services.matter_update(actor=office, matter_id=draft.matters.get(code="ZR-001").pk, data={"name": "违法占地查处"})

    assert "违法占地查处" in [m["name"] for m in client.get(url).json()]


def test_given_a_matter_added_behind_the_services_back_when_reading_then_the_release_rows_are_read_again(
        county, api):
    reader = api(county.users["township"])
    assert len(reader.get("/api/v1/lists/in-force").json()) == 3
    m = county.release.matters.create(code="ZZ-001", name="数据修补事项", domain=county.domains["ZRZY"], kind="other")
    Assignment.objects.create(matter=m, organisation=county.departments["D-ZR"], role="primary", duty="负责")
    ProcessStep.objects.create(matter=m, order=1, action="办理")

    answer = reader.get("/api/v1/lists/in-force").json()
    assert "数据修补事项" in [m["name"] for m in answer]


def test_given_a_release_when_answered_from_plain_rows_then_each_matter_is_its_canonical_dump(county, api):
    """The API's plain rows say what matter_dump() (the diff's and the spreadsheet's view) says of each matter."""
    m = county.release.matters.get(code="HB-001")
    Assignment.objects.create(matter=m, body_kind="territorial_township", role="coordinating", duty="属地巡查")
    ProcessStep.objects.create(matter=m, order=2, body_kind="territorial_township", action="现场核实")
    ProcessStep.objects.create(matter=m, order=3, action="归档")
    answer = api(county.users["township"]).get(f"/api/v1/lists/releases/{county.release.pk}/matters").json()

    expected = [{"id": m.pk, "release": m.release_id, "domain_name": m.domain.name, **selectors.matter_dump(m)}
                for m in selectors.release_matters(county.release)]
    assert answer == expected


def test_given_more_answers_than_room_when_keeping_then_the_oldest_goes():
    keep = Keep(max_entries=2)
    computed = []
    for key in ("a", "b", "a", "c", "a"):
        keep.get((key,), lambda key=key: computed.append(key) or key)

    assert computed == ["a", "b", "c", "a"] and len(keep) == 2
